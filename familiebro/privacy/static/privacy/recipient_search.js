// The consent form's search among the services elsewhere: it hides the services whose
// name (and organisation) does not contain what is typed. Without JavaScript the search box
// stays hidden and the whole list is shown.
document.addEventListener("DOMContentLoaded", () => {
  for (const input of document.querySelectorAll("input[data-filters]")) {
    const list = document.getElementById(input.dataset.filters);
    if (!list) continue;
    input.closest("[hidden]")?.removeAttribute("hidden");
    input.addEventListener("input", () => {
      const wanted = input.value.trim().toLocaleLowerCase();
      for (const row of list.children) {
        const text = row.textContent.toLocaleLowerCase();
        row.hidden = wanted !== "" && !text.includes(wanted);
      }
    });
  }
});
