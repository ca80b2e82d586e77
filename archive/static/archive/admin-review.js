// "Select every …" boxes of the curators' review tables: ticking one ticks every box of the
// same name in its form. Without JavaScript the boxes are ticked one by one.
document.addEventListener("change", (event) => {
  const all = event.target.closest("input[data-select-all]");
  if (!all) return;
  const form = all.form;
  for (const box of form.querySelectorAll(`input[type="checkbox"][name="${all.dataset.selectAll}"]`)) {
    if (!box.disabled) box.checked = all.checked;
  }
});
