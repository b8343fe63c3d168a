// Payment page: polls the payment state until MPN G-2 confirms or refuses (strings come from data-*).
(function () {
  var box = document.getElementById("payment-state");
  if (!box || box.dataset.status !== "pending") return;
  function poll() {
    fetch(box.dataset.url, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (s) {
      if (s.status === "pending") { setTimeout(poll, 1000); return; }
      var p = document.createElement("p");
      if (s.status === "confirmed") {
        p.className = "paid"; p.textContent = box.dataset.textPaid + " NTPN " + s.ntpn;
        document.getElementById("book-link").hidden = false;
      } else { p.className = "refused"; p.textContent = box.dataset.textRefused + " " + s.error; }
      box.replaceChildren(p);
    }).catch(function () { setTimeout(poll, 2000); });
  }
  setTimeout(poll, 500);
})();
