// The power of attorney signed on the screen: a finger or the mouse draws on the canvas; on submit
// the drawing goes into the hidden "signature" field as a PNG data URL (checked again by the server).
(function () {
  "use strict";
  var canvas = document.getElementById("signature-pad");
  var field = document.getElementById("id_signature");
  var form = document.getElementById("booking-form");
  var state = document.getElementById("signature-state");
  if (!canvas || !field || !form) { return; }
  var ctx = canvas.getContext("2d");
  var drawing = false;
  var strokes = 0;
  ctx.lineWidth = 3;
  ctx.lineCap = "round";
  ctx.strokeStyle = "#111";

  function point(event) {
    var rect = canvas.getBoundingClientRect();
    return {
      x: (event.clientX - rect.left) * (canvas.width / rect.width),
      y: (event.clientY - rect.top) * (canvas.height / rect.height)
    };
  }
  canvas.addEventListener("pointerdown", function (event) {
    event.preventDefault();
    drawing = true;
    canvas.setPointerCapture(event.pointerId);
    var p = point(event);
    ctx.beginPath();
    ctx.moveTo(p.x, p.y);
  });
  canvas.addEventListener("pointermove", function (event) {
    if (!drawing) { return; }
    var p = point(event);
    ctx.lineTo(p.x, p.y);
    ctx.stroke();
  });
  function end() {
    if (drawing) { strokes += 1; state.textContent = canvas.dataset.signed || ""; }
    drawing = false;
  }
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);
  document.getElementById("signature-clear").addEventListener("click", function () {
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    strokes = 0;
    field.value = "";
    state.textContent = "";
  });
  form.addEventListener("submit", function () {
    field.value = strokes > 0 ? canvas.toDataURL("image/png") : "";
  });
}());
