// The choropleth map: draws the GeoJSON twin of /api/v1/indicators with Leaflet (no tile layer,
// nothing loaded from elsewhere). Each region's path carries data-region="<NUTS code>".
(function () {
  "use strict";
  var element = document.getElementById("map");
  if (!element || typeof L === "undefined") { return; }
  var status = document.getElementById("map-status");
  var legend = document.getElementById("legend");
  var colours = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"];
  var params = new URLSearchParams();
  ["dataset", "measure", "year", "indicator", "activity"].forEach(function (key) {
    var value = element.dataset[key];
    if (value) { params.set(key, value); }
  });
  var map = L.map(element, { zoomSnap: 0.25, attributionControl: true });
  map.attributionControl.setPrefix("Leaflet");
  map.attributionControl.addAttribution("Boundaries © EuroGeographics (GISCO)");
  map.setView([54, 0], 5);

  function breaks(values) {
    var sorted = values.slice().sort(function (a, b) { return a - b; });
    var result = [];
    for (var i = 1; i < colours.length; i++) {
      result.push(sorted[Math.min(sorted.length - 1, Math.floor((i * sorted.length) / colours.length))]);
    }
    return result;
  }
  function colour(value, cuts) {
    if (value === null || value === undefined) { return "#cccccc"; }
    var i = 0;
    while (i < cuts.length && value >= cuts[i]) { i++; }
    return colours[i];
  }
  function format(value) {
    if (value === null || value === undefined) { return "no value"; }
    return Math.abs(value) >= 1000 ? Math.round(value).toLocaleString() : value.toFixed(2);
  }
  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  fetch(element.dataset.api + "?" + params.toString(), { headers: { Accept: "application/json" } })
    .then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) { throw new Error(body.error ? body.error.message : response.statusText); }
        return body;
      });
    })
    .then(function (collection) {
      var values = collection.features
        .map(function (f) { return f.properties.value; })
        .filter(function (v) { return v !== null && v !== undefined; });
      var cuts = breaks(values);
      var meta = collection.metadata;
      var layer = L.geoJSON(collection, {
        style: function (feature) {
          return { color: "#555", weight: 0.8, fillOpacity: 0.85, fillColor: colour(feature.properties.value, cuts),
                   className: "region region-" + feature.id };
        },
        onEachFeature: function (feature, path) {
          var p = feature.properties;
          path.bindTooltip(escapeHtml(p.region + (p.name ? " " + p.name : "")) + ": " + format(p.value));
          path.on("click", function () {
            var query = new URLSearchParams({ dataset: meta.dataset, year: meta.year });
            if (meta.measure) { query.set("measure", meta.measure); }
            window.location.href = "/regions/" + encodeURIComponent(p.region) + "?" + query.toString();
          });
          path.on("add", function () {
            var node = path.getElement();
            if (node) {
              node.setAttribute("data-region", p.region);
              node.setAttribute("tabindex", "0");
              node.setAttribute("role", "link");
              node.setAttribute("aria-label", (p.name || p.region) + ": " + format(p.value));
              node.addEventListener("keydown", function (event) { if (event.key === "Enter") { path.fire("click"); } });
            }
          });
        },
      }).addTo(map);
      if (collection.features.length) { map.fitBounds(layer.getBounds(), { padding: [10, 10] }); }
      var lower = values.length ? Math.min.apply(null, values) : null;
      var edges = [lower].concat(cuts);
      var items = colours.map(function (c, i) {
        var from = edges[i], to = i < cuts.length ? cuts[i] : (values.length ? Math.max.apply(null, values) : null);
        return '<li><span class="swatch swatch-' + i + '"></span>' + format(from) + " – " + format(to) + "</li>";
      });
      legend.innerHTML = "<strong>" + escapeHtml(meta.label) + "</strong>, " + escapeHtml(meta.year) +
        '<ul data-testid="legend-items">' + items.join("") + "</ul>";
      var note = collection.features.length + " regions drawn";
      if (meta.unmapped.length) { note += "; no boundary for " + meta.unmapped.join(", "); }
      status.textContent = note + ".";
      element.setAttribute("data-ready", "true");
    })
    .catch(function (error) {
      status.textContent = "The map cannot be drawn: " + error.message;
      status.classList.add("error");
    });
})();
