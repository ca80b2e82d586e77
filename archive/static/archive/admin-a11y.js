// Accessible names for the admin's autocomplete boxes. Select2 draws each as a
// role="combobox" span labelled only by the chosen value, so an empty box had no name at
// all: each part gets the label of the <select> it stands for, and the "remove all" cross
// of a multiple choice moves out of the list it is not an item of. Select2 redraws its
// boxes after every choice, so this runs again whenever the page changes.
(() => {
  const labelFor = (select) => {
    const label = select.id && document.querySelector(`label[for="${select.id}"]`);
    if (label && label.textContent.trim()) return label.textContent.trim().replace(/:$/, "");
    return select.getAttribute("aria-label") || select.name;
  };
  const name = () => {
    for (const container of document.querySelectorAll("span.select2.select2-container")) {
      const select = container.previousElementSibling;
      if (!select || select.tagName !== "SELECT") continue;
      const label = labelFor(select);
      const parts = container.querySelectorAll(
        '[role="combobox"], [role="textbox"], .select2-search__field'
      );
      for (const part of parts) {
        if (part.getAttribute("aria-label") !== label) part.setAttribute("aria-label", label);
      }
      for (const list of container.querySelectorAll("ul.select2-selection__rendered")) {
        const clear = list.querySelector(":scope > .select2-selection__clear");
        if (clear) list.before(clear);
      }
    }
  };
  window.addEventListener("load", () => {
    name();
    new MutationObserver(name).observe(document.body, { childList: true, subtree: true });
  });
})();
