// Linli's own script: small behaviours that need no framework. No inline scripts anywhere
// (the Content-Security-Policy forbids them), so pages attach behaviour with data- attributes.
document.addEventListener("click", (event) => {
  const toggle = event.target.closest("[data-toggle]");
  if (!toggle) return;
  const target = document.getElementById(toggle.dataset.toggle);
  if (!target) return;
  const open = target.classList.toggle("open");
  toggle.setAttribute("aria-expanded", String(open));
});
