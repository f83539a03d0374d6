// The map page (territory/map.html). No inline script or style (CSP): everything the
// page needs comes from data- attributes on #map; colours come from map.css classes.
(function () {
  "use strict";

  // Drawing order: what is clicked first, then the dedicated grids over the ordinary ones,
  // then the outlines of communities and streets on top, where they stay visible (they are
  // not interactive, so clicks go through them to the grids).
  const ORDER = { grid: 0, compound: 1, building: 2, dedicated_grid: 3, community: 4, street: 5, district: 6 };
  const CLICKABLE = new Set(["grid", "dedicated_grid", "compound", "building"]);

  function classesFor(props) {
    const names = ["geo", "geo-" + props.kind.replace(/_/g, "-")];
    if (props.kind === "dedicated_grid") names.push("geo-dk-" + (props.dedicated_kind || "other"));
    return names.join(" ");
  }

  function message(el, text) {
    const box = document.createElement("p");
    box.className = "map-message";
    box.setAttribute("role", "status");
    box.textContent = text;
    el.appendChild(box);
  }

  function init() {
    const el = document.getElementById("map");
    if (!el || typeof L === "undefined") return;
    const map = L.map(el, { zoomSnap: 0.25, attributionControl: Boolean(el.dataset.tileUrl) });
    if (el.dataset.tileUrl) {
      L.tileLayer(el.dataset.tileUrl, { maxZoom: 19, subdomains: "1234" }).addTo(map);
    }
    const layers = new Map();
    let selected = null;

    function openCard(id) {
      const url = el.dataset.cardUrl.replace(el.dataset.placeholderId, id);
      if (selected) selected.getElement()?.classList.remove("geo-selected");
      selected = layers.get(id) || null;
      if (selected) {
        selected.getElement()?.classList.add("geo-selected");
        selected.bringToFront();
      }
      if (window.htmx) {
        window.htmx.ajax("GET", url, { target: "#map-card", swap: "innerHTML" });
      } else {
        fetch(url, { credentials: "same-origin", headers: { "HX-Request": "true" } })
          .then((r) => r.text())
          .then((html) => { document.getElementById("map-card").innerHTML = html; });
      }
    }

    document.addEventListener("click", (event) => {
      const button = event.target.closest("[data-map-card]");
      if (!button) return;
      openCard(button.dataset.mapCard);
      const layer = layers.get(button.dataset.mapCard);
      if (layer) map.fitBounds(layer.getBounds(), { maxZoom: map.getZoom() });
    });

    // Places as small circles above the outlines; a click opens a popup linking to the
    // place's page (built as DOM nodes: names are user data, never HTML).
    function addPlaces() {
      if (!el.dataset.placesUrl) return;
      fetch(el.dataset.placesUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then((r) => (r.ok ? r.json() : Promise.reject(new Error(String(r.status)))))
        .then((data) => {
          const pane = map.createPane("places");
          pane.style.zIndex = 650;
          (data.features || []).forEach((feature) => {
            const [lng, lat] = feature.geometry.coordinates;
            const props = feature.properties;
            const names = ["place-marker", "place-" + props.kind];
            if (props.small_shop) names.push("place-small-shop");
            const marker = L.circleMarker([lat, lng], { radius: 5, pane: "places", className: names.join(" ") });
            const box = document.createElement("div");
            const link = document.createElement("a");
            link.href = el.dataset.placeUrl.replace(el.dataset.placeholderId, feature.id);
            link.textContent = props.name;
            const kind = document.createElement("div");
            kind.className = "muted";
            kind.textContent = props.kind_label;
            box.append(link, kind);
            marker.bindPopup(box);
            const tip = document.createElement("span");
            tip.textContent = props.name;
            marker.bindTooltip(tip);
            marker.on("add", () => marker.getElement()?.setAttribute("data-testid", "map-place"));
            marker.addTo(map);
          });
        })
        .catch(() => {});
    }

    fetch(el.dataset.boundariesUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error(String(r.status)))))
      .then((data) => {
        const features = (data.features || []).slice().sort(
          (a, b) => (ORDER[a.properties.kind] ?? 9) - (ORDER[b.properties.kind] ?? 9)
        );
        if (!features.length) {
          map.setView([35.0, 105.0], 4);
          message(el, el.dataset.emptyText);
          return;
        }
        const group = L.geoJSON({ type: "FeatureCollection", features: features }, {
          style: (feature) => ({
            className: classesFor(feature.properties),
            interactive: CLICKABLE.has(feature.properties.kind),
          }),
          onEachFeature: (feature, layer) => {
            layers.set(feature.id, layer);
            if (!CLICKABLE.has(feature.properties.kind)) return;
            layer.bindTooltip(feature.properties.name + " · " + feature.properties.code, { sticky: true });
            layer.on("click", () => openCard(feature.id));
            layer.on("add", () => {
              const path = layer.getElement();
              if (path) {
                path.setAttribute("data-code", feature.properties.code);
                path.setAttribute("data-testid", "map-shape");
              }
            });
          },
        }).addTo(map);
        map.fitBounds(group.getBounds(), { padding: [12, 12] });
        addPlaces();
      })
      .catch(() => {
        map.setView([35.0, 105.0], 4);
        message(el, el.dataset.errorText);
      });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
