// Any button with data-print prints the page (no inline handlers: the Content-Security-Policy forbids them).
document.addEventListener("click", function (e) {
  if (e.target.closest && e.target.closest("[data-print]")) window.print();
});
