"""End-to-end tests in headless Chromium: a visitor opens the map, clicks a region, reads its
profile, compares two regions and searches partners; a signed-in member proposes a
partnership and sees it on the tracker.

The tests run in file order on one server per backend (see ``conftest.py``): the partner
recommender fits in the background while the map and profile tests run, and the partner
test waits for it (about 80 s on the demo data on two cores). Figures shown on the pages
are compared with the JSON twins fetched from the same server.
"""

from __future__ import annotations

import re

import httpx
import pytest

pytestmark = pytest.mark.shared

# NUTS 2013: UKI3 Inner London - West, UKD3 Greater Manchester.
REGION = "UKI3"
OTHER_REGION = "UKD3"
BRES = "uk-bres-employment"
FIT_TIMEOUT_MS = 300_000  # the recommender's fit on the demo data; the page polls until it is ready


def _api(site, path: str, **params) -> dict:
    response = httpx.get(f"{site.url}{path}", params=params, timeout=60.0)
    assert response.status_code == 200, (path, response.status_code, response.text[:300])
    return response.json()


_SETTLED_BOX = """async code => {
    const path = document.querySelector(`#map path[data-region="${code}"]`);
    // the map has settled when the path keeps the same box over ten animation frames
    let box = path.getBoundingClientRect(), still = 0;
    while (still < 10) {
        await new Promise(resolve => requestAnimationFrame(resolve));
        const now = path.getBoundingClientRect();
        still = (now.x === box.x && now.y === box.y && now.width === box.width) ? still + 1 : 0;
        box = now;
    }
    return [box.left, box.top, box.width, box.height];
}"""

_INNER_POINT = """code => {
    const path = document.querySelector(`#map path[data-region="${code}"]`);
    const box = path.getBoundingClientRect();
    const hits = (x, y) => document.elementFromPoint(x, y) === path;
    for (let i = 1; i < 16; i++) {
        for (let j = 1; j < 16; j++) {
            const x = Math.round(box.left + (box.width * i) / 16), y = Math.round(box.top + (box.height * j) / 16);
            // well inside: the pixels around it are the region's too
            if (hits(x, y) && hits(x - 2, y) && hits(x + 2, y) && hits(x, y - 2) && hits(x, y + 2)) {
                return [x - box.left, y - box.top];
            }
        }
    }
    return null;
}"""


def _click_region(page, code: str) -> None:
    """Click the map inside region ``code`` as a user would: zoom in with the wheel over a
    small region until it is large enough to hit (a London borough group is a few pixels
    wide on the whole-country map), then click a point well inside its own path. The click
    goes through the path's locator, so Playwright also checks that it hits that path."""
    left, top, width, height = page.evaluate(_SETTLED_BOX, code)
    for _ in range(6):
        if min(width, height) >= 40:
            break
        page.mouse.move(left + width / 2, top + height / 2)
        page.mouse.wheel(0, -400)
        left, top, width, height = page.evaluate(_SETTLED_BOX, code)
    offset = page.evaluate(_INNER_POINT, code)
    assert offset is not None, f"region {code} is drawn but has no clickable point"
    page.locator(f'#map path[data-region="{code}"]').click(position={"x": offset[0], "y": offset[1]})


def test_map_click_opens_the_region_profile(page, site, screenshot) -> None:
    page.goto("/")
    page.wait_for_selector('#map[data-ready="true"]')
    geojson = _api(site, "/api/v1/indicators/geojson")
    drawn = page.locator("#map path[data-region]")
    # every region with a boundary is drawn once; the status line names the count and the unmapped ones
    assert drawn.count() == len(geojson["features"]) > 30
    status = page.locator("#map-status").inner_text()
    assert f"{len(geojson['features'])} regions drawn" in status
    for code in geojson["metadata"]["unmapped"]:
        assert code in status
    assert page.locator('[data-testid="legend-items"] li').count() == 5
    assert page.locator('[data-testid="nav-map"]').count() == 1
    screenshot(page, "map", site)

    # A cold profile page draws its charts (Matplotlib) on a loaded CI machine: allow a minute.
    _click_region(page, REGION)
    page.wait_for_url(re.compile(rf"/regions/{REGION}\?"), wait_until="domcontentloaded", timeout=60_000)
    title = page.locator("#region-title")
    assert title.get_attribute("data-region") == REGION
    profile = _api(site, f"/api/v1/regions/{REGION}/profile", dataset=BRES)
    assert profile["name"] and profile["name"] in title.inner_text()
    # the page lists the same top specialisations, in the same order, as its JSON twin
    shown = page.locator(".specialisation-row").evaluate_all("rows => rows.map(r => r.dataset.activity)")
    assert shown == [row["activity"] for row in profile["specialisations"]][: len(shown)]
    assert len(shown) >= 5
    peers = page.locator("#peers .peer-row").evaluate_all("rows => rows.map(r => r.dataset.region)")
    assert peers == [row["region"] for row in _api(site, f"/api/v1/regions/{REGION}/peers", k=5)["items"]]
    screenshot(page, "profile", site)


def test_profile_year_selector_swaps_the_body(page, site) -> None:
    page.goto(f"/regions/{REGION}?dataset={BRES}")
    periods = _api(site, f"/api/v1/regions/{REGION}/profile", dataset=BRES)["periods"]
    first = periods[0]
    page.select_option('[data-testid="profile-year"]', first)
    page.wait_for_function(
        "period => document.querySelector('#profile-subtitle').textContent.includes('period ' + period)", arg=first
    )
    expected = _api(site, f"/api/v1/regions/{REGION}/profile", dataset=BRES, year=first)["specialisations"]
    shown = page.locator(".specialisation-row").first.get_attribute("data-activity")
    assert shown == expected[0]["activity"]
    assert page.url.endswith(f"/regions/{REGION}?dataset={BRES}")  # swapped in place, no navigation


def test_compare_two_regions(page, site, screenshot) -> None:
    page.goto("/compare")
    page.fill('[data-testid="compare-regions"]', f"{REGION},{OTHER_REGION}")
    page.select_option("#dataset", BRES)
    page.select_option("#industry", BRES)
    page.locator("#compare-form button[type=submit]").click()
    page.wait_for_selector("#complementarity-matrix")
    twin = _api(site, "/api/v1/complementarity", regions=f"{REGION},{OTHER_REGION}", research=BRES, industry=BRES)
    cells = page.locator("#complementarity-matrix tbody tr").evaluate_all(
        "rows => rows.map(r => Array.from(r.querySelectorAll('td.num')).map(c => c.textContent.trim()))"
    )
    expected = [["—" if value is None else f"{value:.3f}" for value in row] for row in twin["matrix"]]
    assert cells == expected
    assert page.locator("section.pair").count() == len(twin["pairs"]) == 2
    screenshot(page, "compare", site)


def test_search_an_organisation_and_read_its_partners(page, site, screenshot) -> None:
    page.goto("/partners")
    page.locator('[data-testid="nav-partners"]').wait_for()
    # typing searches as you type (HTMX); the organisation's PIC is a prefix of several ids
    page.locator('[data-testid="org-query"]').press_sequentially(site.organisation[:6], delay=30)
    option = page.locator(f'.org-option[data-org="{site.organisation}"]')
    option.wait_for()
    matches = _api(site, "/api/v1/organisations", q=site.organisation[:6], limit=20)
    assert page.locator(".org-option").count() == len(matches["items"]) > 1
    assert page.url.endswith("/partners")  # no navigation yet
    option.locator("a").click()
    page.wait_for_url(re.compile(rf"/partners\?org={site.organisation}$"))
    assert page.locator("#org-heading").get_attribute("data-org") == site.organisation
    # while the recommender fits, the page polls /partners/results by itself
    page.locator(".partner-row").first.wait_for(timeout=FIT_TIMEOUT_MS)
    twin = _api(site, f"/api/v1/organisations/{site.organisation}/partners", k=15)
    shown = page.locator(".partner-row").evaluate_all("rows => rows.map(r => r.dataset.partner)")
    assert shown == [row["partner_id"] for row in twin["items"]]
    assert len(shown) == 15
    first = twin["items"][0]
    row = page.locator(".partner-row").first
    reasons = row.locator(".reason")
    assert reasons.evaluate_all("items => items.map(i => i.dataset.component)") == twin["components"]
    # each bar is labelled with its contribution, and the contributions add up to the score
    for name in twin["components"]:
        value = first["components"][name] or 0.0
        label = row.locator(f'.reason[data-component="{name}"] .reason-value').inner_text()
        assert label == f"{value:+.2f}"
    assert sum(value or 0.0 for value in first["components"].values()) == pytest.approx(first["score"], abs=1e-6)
    screenshot(page, "partners", site)


def test_member_proposes_a_partnership_and_sees_it_on_the_tracker(page, site, screenshot) -> None:
    partner = _api(site, f"/api/v1/organisations/{site.organisation}/partners", k=1)["items"][0]["partner_id"]
    page.goto("/partnerships")
    assert page.locator("#propose-form").count() == 0  # anonymous visitors cannot propose
    page.goto("/login?next=/partnerships")
    page.fill("#login-email", site.email)
    page.fill("#login-password", site.password)
    page.locator('[data-testid="login-submit"]').click()
    page.wait_for_url(re.compile(r"/partnerships$"))
    assert site.email in page.locator("#partnerships-page").inner_text()

    page.fill("#propose-org-2", partner)
    page.fill("#propose-note", "Joint doctoral training in materials science (e2e test).")
    page.locator('[data-testid="propose-submit"]').click()
    # the new partnership's own page: proposed, between the member's organisation and the partner
    page.wait_for_url(re.compile(r"/partnerships/\d+$"))
    partnership = int(page.locator("#partnership-page").get_attribute("data-partnership"))
    assert page.locator("#partnership-status").get_attribute("data-status") == "proposed"
    title = page.locator("#partnership-title").inner_text()
    assert site.organisation in title and partner in title
    assert "Joint doctoral training" in page.locator("#public-note").inner_text()
    assert page.locator('[data-testid="history-event"]').count() == 1

    # the tracker board shows it in the "proposed" column
    page.locator('[data-testid="nav-partnerships"]').click()
    page.wait_for_url(re.compile(r"/partnerships$"))
    card = page.locator(f'.board-column[data-status="proposed"] [data-partnership="{partnership}"]')
    card.wait_for()
    assert partner in card.inner_text() and "Joint doctoral training" in card.inner_text()
    # advancing it redraws the board in place (HTMX): the card moves to the "contacted" column
    card.locator('[data-testid="advance-contacted"]').click()
    moved = page.locator(f'.board-column[data-status="contacted"] [data-partnership="{partnership}"]')
    moved.wait_for()
    assert page.locator(f'.board-column[data-status="proposed"] [data-partnership="{partnership}"]').count() == 0
    assert page.url.endswith("/partnerships")
    screenshot(page, "tracker", site)

    # the JSON twin (with the browser's session cookie) says the same
    cookies = {cookie["name"]: cookie["value"] for cookie in page.context.cookies()}
    response = httpx.get(f"{site.url}/api/v1/partnerships/{partnership}", cookies=cookies, timeout=30.0)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "contacted"
    assert {body["organisation_1"]["id"], body["organisation_2"]["id"]} == {site.organisation, partner}
    # anonymous visitors do not see a partnership in progress
    assert httpx.get(f"{site.url}/api/v1/partnerships/{partnership}", timeout=30.0).status_code == 401


_CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", event => {
    window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline") + " at " +
                                (event.sourceFile || "") + ":" + event.lineNumber);
});
"""


def test_the_content_security_policy_refuses_nothing_on_the_main_pages(page, site) -> None:
    """The map, a region profile, the partners and the tracker (as a signed-in member) draw
    under the app's CSP without a single violation: nothing inline, nothing from elsewhere."""
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text) if "Refused to" in message.text else None)
    page.add_init_script(_CSP_LISTENER)
    # the second-best partner: the first already has a partnership in progress (the test above)
    partner = _api(site, f"/api/v1/organisations/{site.organisation}/partners", k=2)["items"][1]["partner_id"]

    def visit(path: str, ready: str) -> None:
        response = page.goto(path)
        assert response is not None and "frame-ancestors 'none'" in response.headers["content-security-policy"]
        page.locator(ready).first.wait_for()
        page.wait_for_load_state("networkidle")
        violations = page.evaluate("window.__cspViolations")
        assert violations == [] and refused == [], (path, violations, refused)

    visit("/", '#map[data-ready="true"]')
    visit(f"/regions/{REGION}?dataset={BRES}", "#region-title")
    page.select_option('[data-testid="profile-year"]', index=0)  # an HTMX swap under the policy
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__cspViolations") == [] and refused == []
    visit("/partners", '[data-testid="org-query"]')
    page.locator('[data-testid="org-query"]').press_sequentially(site.organisation[:6], delay=30)
    page.locator(".org-option").first.wait_for()
    visit(f"/partners?org={site.organisation}", ".partner-row .bar-track")
    visit("/partnerships", "#board")
    page.goto("/login?next=/partnerships")
    page.fill("#login-email", site.email)
    page.fill("#login-password", site.password)
    page.locator('[data-testid="login-submit"]').click()
    page.wait_for_url(re.compile(r"/partnerships$"))
    visit("/partnerships", "#propose-form")
    page.fill("#propose-org-2", partner)
    page.locator('[data-testid="propose-submit"]').click()
    page.wait_for_url(re.compile(r"/partnerships/\d+$"))
    visit(page.url, '[data-testid="history-event"]')
    # the policy is really enforced: an inline style added now is refused and reported
    page.evaluate(
        "() => { const s = document.createElement('style'); s.textContent = 'body{}'; document.head.append(s); }"
    )
    page.wait_for_function("window.__cspViolations.length > 0")
