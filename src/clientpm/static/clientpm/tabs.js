// Open the tab named in the URL hash (#tab-scope) after a form redirects back to a detail page,
// and keep the hash in step with the tab the user opens, so reloads and links land on the same tab.
document.addEventListener("DOMContentLoaded", () => {
  const button = location.hash && document.querySelector(`[data-bs-toggle="tab"][data-bs-target="${CSS.escape(location.hash)}"]`);
  if (button) button.click();
  document.querySelectorAll('[data-bs-toggle="tab"]').forEach((tab) => {
    tab.addEventListener("shown.bs.tab", () => history.replaceState(null, "", tab.dataset.bsTarget));
  });
});
