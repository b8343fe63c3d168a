// While the payment is confirmed, ask the small status endpoint every two seconds and reload the
// page when the answer changes; without JavaScript the page's refresh link does the same.
(function () {
  "use strict";
  var box = document.getElementById("booking-status");
  if (!box || box.dataset.status !== "paying") { return; }
  function poll() {
    fetch(box.dataset.url, { headers: { "Accept": "application/json" }, cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (data.status !== "paying") { window.location.reload(); } else { setTimeout(poll, 2000); }
      })
      .catch(function () { setTimeout(poll, 4000); });
  }
  setTimeout(poll, 1000);
}());
