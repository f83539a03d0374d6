// Appeals: "use my location" on the intake form fills WGS-84 coordinates (the phone's GPS)
// for the server's locate(); no inline scripts (CSP), behaviour hangs on data- attributes.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-locate]");
  if (!button) return;
  const form = button.closest("form");
  const status = form.querySelector("[data-locate-status]");
  if (!navigator.geolocation) {
    status.textContent = "—";
    return;
  }
  status.textContent = "…";
  navigator.geolocation.getCurrentPosition(
    (position) => {
      form.querySelector("[name=lng]").value = position.coords.longitude.toFixed(6);
      form.querySelector("[name=lat]").value = position.coords.latitude.toFixed(6);
      form.querySelector("[name=crs]").value = "wgs84";
      status.textContent = position.coords.latitude.toFixed(5) + ", " + position.coords.longitude.toFixed(5);
    },
    (error) => { status.textContent = error.message; },
    { enableHighAccuracy: true, timeout: 15000 },
  );
});
