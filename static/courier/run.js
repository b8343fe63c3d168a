/* The courier app: a queue of updates in IndexedDB, sent in order with an Idempotency-Key each, so
   that the run works with no network and a retried update never counts twice. Also refreshes the
   dispatcher's board. No framework, no build step. */
(function () {
  "use strict";

  // The dispatcher's board: refresh the rows every 20 seconds.
  var board = document.getElementById("board");
  if (board) {
    setInterval(function () {
      fetch(location.pathname + "?fragment=1", { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) { if (html !== null) { board.innerHTML = html; } })
        .catch(function () {});
    }, 20000);
    return;
  }

  var dataNode = document.getElementById("run-data");
  if (!dataNode) { return; }
  var run = JSON.parse(dataNode.textContent);
  var T = run.texts;
  // The API answers in the language it is asked in: the page's, not the phone's (whose browser
  // would send its own Accept-Language, e.g. English on an Indonesian page).
  var LANG = document.documentElement.lang || "id";
  var ACTION_URL = { dispatch: "dispatch/", deliver: "deliver/", fail: "fail/" };
  var TARGET = { dispatch: "out_for_delivery", deliver: "delivered", fail: "failed_attempt" };
  var dbPromise = null;
  var syncing = false;
  var again = false;

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/courier/sw.js", { scope: "/courier/" }).catch(function () {});
  }

  // IndexedDB: one store, items in the order they were made.
  function db() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var req = indexedDB.open("antar-kurir", 1);
        req.onupgradeneeded = function () {
          req.result.createObjectStore("queue", { keyPath: "seq", autoIncrement: true });
        };
        req.onsuccess = function () { resolve(req.result); };
        req.onerror = function () { reject(req.error); };
      });
    }
    return dbPromise;
  }
  function store(mode, work) {
    return db().then(function (d) {
      return new Promise(function (resolve, reject) {
        var tx = d.transaction("queue", mode);
        var result = work(tx.objectStore("queue"));
        tx.oncomplete = function () { resolve(result && result.result !== undefined ? result.result : result); };
        tx.onerror = function () { reject(tx.error); };
      });
    });
  }
  function queued() { return store("readonly", function (s) { return s.getAll(); }); }
  function enqueue(item) { return store("readwrite", function (s) { return s.add(item); }); }
  function dequeue(seq) { return store("readwrite", function (s) { return s.delete(seq); }); }

  function newKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = new Uint8Array(16); crypto.getRandomValues(b);
    return Array.prototype.map.call(b, function (x) { return ("0" + x.toString(16)).slice(-2); }).join("");
  }
  function csrf() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }
  function card(code) { return document.getElementById("order-" + code); }
  function hhmm(iso) {
    var d = new Date(iso);
    return ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
  }

  function setStatus(code, status, label) {
    var c = card(code);
    if (!c) { return; }
    if (status === "failed_attempt" && c.dataset.status !== "failed_attempt") {
      c.dataset.attempts = Number(c.dataset.attempts || 0) + 1;
    }
    c.dataset.status = status;
    c.querySelector(".run-status").textContent = label || T.status[status] || status;
    var exhausted = status === "failed_attempt" && Number(c.dataset.attempts) >= run.max_attempts;
    c.querySelectorAll(".act").forEach(function (block) {
      block.hidden = exhausted || block.dataset.when.split(" ").indexOf(status) === -1;
    });
    totals();
  }
  function totals() {
    var n = { todo: 0, done: 0, failed: 0 };
    document.querySelectorAll(".run-card").forEach(function (c) {
      var s = c.dataset.status;
      if (s === "with_delivery_section" || s === "out_for_delivery") { n.todo++; }
      else if (s === "delivered") { n.done++; }
      else if (s === "failed_attempt") { n.failed++; }
    });
    document.getElementById("total-to-deliver").textContent = n.todo;
    document.getElementById("total-delivered").textContent = n.done;
    document.getElementById("total-failed").textContent = n.failed;
  }

  function showQueue() {
    return queued().then(function (items) {
      var list = document.getElementById("queue");
      list.textContent = "";
      items.forEach(function (item) {
        var li = document.createElement("li");
        li.textContent = item.order + ": " + T.labels[item.action] + " · " + hhmm(item.body.device_time) + " (" + T.waiting + ")";
        list.appendChild(li);
        setStatus(item.order, TARGET[item.action]);
      });
      document.getElementById("queue-count").textContent = items.length;
    });
  }
  function showRefused(item, message) {
    var box = document.getElementById("refused");
    var p = document.createElement("p");
    p.className = "refused";
    p.textContent = T.refused + ": " + item.order + " (" + T.labels[item.action] + "): " + message;
    box.appendChild(p);
  }
  function showNet() {
    var net = document.getElementById("net");
    net.textContent = navigator.onLine ? T.online : T.offline;
    net.classList.toggle("offline", !navigator.onLine);
  }

  // Send the queue in order; stop at the first network failure and try again later.
  function sync() {
    if (!navigator.onLine) { return Promise.resolve(); }
    if (syncing) { again = true; return Promise.resolve(); }  // an update queued during a sync
    syncing = true;
    again = false;
    var sentAny = false;
    return queued().then(function (items) {
      var chain = Promise.resolve(true);
      items.forEach(function (item) {
        chain = chain.then(function (go) {
          if (!go) { return false; }
          return fetch(run.api + encodeURIComponent(item.order) + "/" + ACTION_URL[item.action], {
            method: "POST", credentials: "same-origin",
            headers: { "Content-Type": "application/json", "Accept-Language": LANG, "X-CSRFToken": csrf(),
                       "Idempotency-Key": item.key },
            body: JSON.stringify(item.body)
          }).then(function (response) {
            if (response.status >= 500 || response.status === 408 || response.status === 429) { return false; }
            return response.json().catch(function () { return {}; }).then(function (body) {
              if (response.ok) {
                tokenRunSynced(item);
                setStatus(item.order, body.status, body.status_label);
              } else {
                showRefused(item, body.message || response.status);
                setStatus(item.order, item.before);
              }
              sentAny = true;
              return dequeue(item.seq).then(function () { return true; });
            });
          }, function () { return false; });
        });
      });
      return chain;
    }).then(function () {
      syncing = false;
      // Keep the cached copy of the run page in step with the server.
      if (sentAny) { fetch(location.pathname, { credentials: "same-origin" }).catch(function () {}); }
      return showQueue().then(function () { if (again) { return sync(); } });
    }, function () { syncing = false; });
  }

  // The delivery code: the phone catches typos with the code's Damm check digit (the same table as
  // delivery/handoff/codes.py) and knows nothing else about it; only the server tells a right code
  // from a wrong one. Codes issued before the check digit ("check" empty) are not checked here.
  var DAMM = [
    [0, 3, 1, 7, 5, 9, 8, 6, 4, 2], [7, 0, 9, 2, 1, 5, 4, 8, 6, 3], [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
    [1, 7, 5, 0, 9, 8, 3, 4, 2, 6], [6, 1, 2, 3, 0, 4, 5, 9, 7, 8], [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
    [5, 8, 6, 9, 7, 2, 0, 1, 3, 4], [8, 9, 4, 5, 3, 6, 2, 0, 1, 7], [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
    [2, 5, 8, 1, 4, 3, 6, 7, 9, 0]
  ];
  function dammValid(number) {
    var interim = 0;
    for (var i = 0; i < number.length; i++) { interim = DAMM[interim][number.charCodeAt(i) - 48]; }
    return interim === 0;
  }
  function checkCode(order, code) {
    var info = run.codes[order];
    if (!info) { return null; }
    if (info.used) { return T.code_used; }
    if (info.check === "damm" && !dammValid(code)) { return T.code_typo; }
    return null;
  }

  // The signed QR token (delivery/handoff/tokens.py): "base64url(payload).base64url(signature)", the
  // payload "1|key id|order|attempt|expiry". The phone checks the Ed25519 signature with the public
  // keys the page ships, the order, the attempt (how many times the order went out, counting the
  // dispatches still queued here) and the expiry; the server checks it all again and decides.
  function tokenBytes(text) {
    text = text.replace(/-/g, "+").replace(/_/g, "/");
    while (text.length % 4) { text += "="; }
    var binary = atob(text), out = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) { out[i] = binary.charCodeAt(i); }
    return out;
  }
  function tokenSignatureValid(keyText, signature, payload) {
    // null: this browser cannot check Ed25519 (the server still does).
    if (!(window.crypto && crypto.subtle)) { return Promise.resolve(null); }
    return crypto.subtle.importKey("raw", tokenBytes(keyText), { name: "Ed25519" }, false, ["verify"])
      .then(function (key) { return crypto.subtle.verify({ name: "Ed25519" }, key, signature, payload); })
      .catch(function () { return null; });
  }
  function tokenQueuedDispatches(order) {
    return queued().then(function (items) {
      return items.filter(function (item) { return item.order === order && item.action === "dispatch"; }).length;
    });
  }
  // Resolves to null when the token is right for this order, else to what the courier is told.
  function tokenCheck(order, token) {
    var parts = token.split("."), payload, signature, fields, key;
    try {
      if (parts.length !== 2) { throw new Error("token"); }
      payload = tokenBytes(parts[0]);
      signature = tokenBytes(parts[1]);
      fields = String.fromCharCode.apply(null, payload).split("|");
      if (fields.length !== 5 || fields[0] !== "1" || signature.length !== 64) { throw new Error("token"); }
    } catch (error) {
      return Promise.resolve(T.token_forged);
    }
    key = (run.token_keys || []).filter(function (k) { return k.kid === fields[1]; })[0];
    if (!key) { return Promise.resolve(T.token_forged); }
    return tokenSignatureValid(key.key, signature, payload).then(function (valid) {
      if (valid === false) { return T.token_forged; }
      if (fields[2] !== order) { return T.token_other_order; }
      return tokenQueuedDispatches(order).then(function (queuedOut) {
        if (Number(fields[3]) !== (run.token_attempts[order] || 0) + queuedOut) { return T.token_old_attempt; }
        if (Number(fields[4]) * 1000 < Date.now()) { return T.token_expired; }
        return null;
      });
    });
  }
  function tokenRunSynced(item) {
    // A dispatch the server took is one more time the order went out.
    if (item.action === "dispatch" && run.token_attempts) {
      run.token_attempts[item.order] = (run.token_attempts[item.order] || 0) + 1;
    }
  }
  function tokenShow(form, message) {
    var state = form.querySelector(".token-state");
    if (state) { state.textContent = message; }
  }
  function tokenCheckField(form) {
    var token = form.elements.token.value.trim();
    if (!token) { tokenShow(form, ""); return Promise.resolve(); }
    return tokenCheck(form.dataset.order, token).then(function (problem) {
      tokenShow(form, problem || T.token_valid);
      if (!problem) { form.querySelector(".form-error").textContent = ""; }
    });
  }
  // The camera, where the browser reads QR codes (BarcodeDetector); else the field takes a paste, or a
  // keyboard-wedge scanner that types the token and Enter.
  function tokenScan(form) {
    var video = form.querySelector(".token-video"), detector, stream = null;
    function stop() {
      if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
      video.hidden = true;
    }
    try { detector = new window.BarcodeDetector({ formats: ["qr_code"] }); } catch (error) { detector = null; }
    if (!detector || !navigator.mediaDevices) { tokenShow(form, T.token_no_camera); return; }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (s) {
      stream = s;
      video.srcObject = s;
      video.hidden = false;
      tokenShow(form, T.token_scanning);
      return video.play();
    }).then(function () {
      var tries = 0;
      (function look() {
        detector.detect(video).then(function (codes) {
          if (codes.length) {
            stop();
            form.elements.token.value = codes[0].rawValue;
            tokenCheckField(form);
          } else if (++tries < 200) { setTimeout(look, 300); } else { stop(); }
        }, function () { stop(); tokenShow(form, T.token_no_camera); });
      })();
    }).catch(function () { stop(); tokenShow(form, T.token_no_camera); });
  }
  function tokenFields() {
    document.querySelectorAll('form[data-action="deliver"]').forEach(function (form) {
      var field = form.elements.token, scan = form.querySelector(".token-scan");
      if (!field) { return; }
      if (scan && "BarcodeDetector" in window) {
        scan.hidden = false;
        scan.addEventListener("click", function () { tokenScan(form); });
      }
      field.addEventListener("keydown", function (event) {
        if (event.key === "Enter") { event.preventDefault(); tokenCheckField(form); }
      });
      // Not on "change": the line it writes would move the button under a tap that is landing.
      field.addEventListener("paste", function () { setTimeout(function () { tokenCheckField(form); }, 0); });
    });
  }
  tokenFields();

  // The photo is made smaller on the phone before it is queued.
  function resizePhoto(file) {
    if (!file) { return Promise.resolve(""); }
    return new Promise(function (resolve, reject) {
      var url = URL.createObjectURL(file);
      var img = new Image();
      img.onload = function () {
        var scale = Math.min(1, 1280 / Math.max(img.width, img.height));
        var canvas = document.createElement("canvas");
        canvas.width = Math.round(img.width * scale);
        canvas.height = Math.round(img.height * scale);
        canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
        URL.revokeObjectURL(url);
        resolve(canvas.toDataURL("image/jpeg", 0.7));
      };
      img.onerror = function () { URL.revokeObjectURL(url); reject(new Error("image")); };
      img.src = url;
    });
  }
  function position(wanted) {
    if (!wanted || !navigator.geolocation) { return Promise.resolve(null); }
    return new Promise(function (resolve) {
      navigator.geolocation.getCurrentPosition(function (p) { resolve(p.coords); }, function () { resolve(null); },
        { timeout: 5000, maximumAge: 60000 });
    });
  }

  // Signature pads.
  document.querySelectorAll("canvas.sig").forEach(function (canvas) {
    var ctx = null, drawing = false;
    canvas.dataset.signed = "";
    function fit() {
      if (canvas.clientWidth && canvas.width !== canvas.clientWidth) {
        canvas.width = canvas.clientWidth;
        ctx = null;
        canvas.dataset.signed = "";
      }
      if (!ctx) { ctx = canvas.getContext("2d"); ctx.lineWidth = 2.5; ctx.lineCap = "round"; ctx.strokeStyle = "#000"; }
    }
    function point(e) {
      var r = canvas.getBoundingClientRect();
      return [(e.clientX - r.left) * canvas.width / r.width, (e.clientY - r.top) * canvas.height / r.height];
    }
    canvas.addEventListener("pointerdown", function (e) {
      fit(); drawing = true; var p = point(e); ctx.beginPath(); ctx.moveTo(p[0], p[1]);
      canvas.setPointerCapture(e.pointerId); e.preventDefault();
    });
    canvas.addEventListener("pointermove", function (e) {
      if (!drawing) { return; }
      var p = point(e); ctx.lineTo(p[0], p[1]); ctx.stroke(); canvas.dataset.signed = "1";
    });
    ["pointerup", "pointercancel"].forEach(function (name) {
      canvas.addEventListener(name, function () { drawing = false; });
    });
    canvas.closest("p").querySelector(".sig-clear").addEventListener("click", function () {
      fit(); ctx.clearRect(0, 0, canvas.width, canvas.height); canvas.dataset.signed = "";
    });
    canvas.closest("details").addEventListener("toggle", fit);
  });

  // The applicant, or a stand-in (who also brings the applicant's code, and their authorisation).
  document.querySelectorAll('form[data-action="deliver"]').forEach(function (form) {
    form.addEventListener("change", function () {
      form.querySelector(".by-stand-in").hidden = form.elements.receiver_kind.value !== "stand_in";
    });
  });

  function fail(form, message) {
    var box = form.querySelector(".form-error");
    box.textContent = message;
    return null;
  }

  function build(form) {
    var action = form.dataset.action, order = form.dataset.order, f = form.elements;
    var body = { device_time: new Date().toISOString() };
    if (action === "dispatch") {
      return window.confirm(T.confirm_dispatch) ? Promise.resolve(body) : Promise.resolve(null);
    }
    if (action === "fail") {
      body.reason = f.reason.value;
      body.note = f.note.value.trim();
      if (body.reason === "other" && !body.note) { return Promise.resolve(fail(form, T.need_note)); }
      return Promise.resolve(window.confirm(T.confirm_fail) ? body : null);
    }
    body.receiver_kind = f.receiver_kind.value;
    var canvas = form.querySelector("canvas.sig");
    var authorisation = null;
    var token = f.token ? f.token.value.trim() : "";
    if (token && form.dataset.tokenChecked !== token) {
      // The applicant's signed QR token instead of the code: checked offline before the rest.
      return tokenCheck(order, token).then(function (problem) {
        tokenShow(form, problem || T.token_valid);
        if (problem) { return fail(form, problem); }
        form.dataset.tokenChecked = token;
        return build(form);
      });
    }
    if (token) {
      body.token = token;
    } else {
      body.code = f.code.value.trim();
      if (!/^\d{6}$/.test(body.code)) { return Promise.resolve(fail(form, T.need_code_or_token)); }
      var problem = checkCode(order, body.code);
      if (problem) { return Promise.resolve(fail(form, problem)); }
    }
    body.id_type = f.id_type.value;
    body.id_last_four = f.id_last_four.value.trim().toUpperCase();
    if (!body.id_type || !/^[A-Z0-9]{4}$/.test(body.id_last_four)) { return Promise.resolve(fail(form, T.need_id)); }
    if (body.receiver_kind === "stand_in") {
      body.stand_in_name = f.stand_in_name.value.trim();
      body.stand_in_relation = f.stand_in_relation.value.trim();
      if (!body.stand_in_name || !body.stand_in_relation) { return Promise.resolve(fail(form, T.need_stand_in)); }
      authorisation = f.authorisation_photo.files[0];
      if (!authorisation) { return Promise.resolve(fail(form, T.need_authorisation)); }
    }
    if (f.door_amount) {
      // A fee difference after an address change: the courier confirms settling it at the door.
      if (!f.door_amount.checked) { return Promise.resolve(fail(form, T.need_door_amount)); }
      body.door_amount = parseInt(f.door_amount.value, 10);
    }
    if (!canvas.dataset.signed) { return Promise.resolve(fail(form, T.need_signature)); }
    return Promise.resolve().then(function () {
      if (!window.confirm(T.confirm_deliver)) { return null; }
      body.signature = canvas.toDataURL("image/png");
      return resizePhoto(authorisation).then(function (paper) {
        if (paper.length > 2700000) { fail(form, T.photo_too_large); throw "handled"; }
        if (paper) { body.authorisation_photo = paper; }
        return resizePhoto(f.photo.files[0]);
      }).then(function (photo) {
        if (photo.length > 2700000) { fail(form, T.photo_too_large); throw "handled"; }
        body.photo = photo;
        return position(f.with_location.checked);
      }).then(function (coords) {
        if (coords) { body.latitude = coords.latitude.toFixed(6); body.longitude = coords.longitude.toFixed(6); }
        return body;
      });
    });
  }

  document.querySelectorAll("form[data-action]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      form.querySelector(".form-error").textContent = "";
      var button = form.querySelector('button[type="submit"]');
      button.disabled = true;
      build(form).then(function (body) {
        if (!body) { return null; }
        var order = form.dataset.order;
        if (form.dataset.action === "deliver" && run.codes[order]) {
          run.codes[order].used = true;
        }
        return enqueue({ key: newKey(), order: order, action: form.dataset.action, body: body,
                         before: card(order).dataset.status })
          .then(function () {
            var details = form.closest("details");
            if (details) { details.open = false; }
            return showQueue();
          }).then(sync);
      }).catch(function (error) {
        if (error !== "handled") { fail(form, T.refused); }
      }).then(function () { button.disabled = false; });
    });
  });

  window.addEventListener("online", function () { showNet(); sync(); });
  window.addEventListener("offline", showNet);
  setInterval(sync, 15000);
  showNet();
  showQueue().then(sync);
})();
