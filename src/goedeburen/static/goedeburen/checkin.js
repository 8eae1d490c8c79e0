/* The check-in app on a staff phone (backoffice/checkin/app.html).
 *
 * Online, each scan goes to the server, which decides. When a request fails or takes more
 * than 2 seconds the app goes offline by itself: it decides from the list it downloaded
 * when it opened (ticket hashes, never secrets), keeps the check-ins in a queue in
 * IndexedDB, and sends the queue when the network is back. Every scan has a random nonce
 * made here; the server stores each nonce once, so sending a queue again changes nothing.
 * Without JavaScript the page's forms do the same through the server.
 */
(function () {
  "use strict";

  var root = document.getElementById("checkin-app");
  if (!root) {
    return;
  }
  var texts = JSON.parse(document.getElementById("checkin-texts").textContent);
  var config = {
    dataUrl: root.dataset.dataUrl,
    scansUrl: root.dataset.scansUrl,
    badgeUrl: root.dataset.badgeUrl,
    device: root.dataset.device,
    session: root.dataset.session ? Number(root.dataset.session) : null,
    door: root.dataset.door || "",
  };
  var csrf = root.querySelector("input[name=csrfmiddlewaretoken]").value;
  var TIMEOUT_MS = 2000;
  var UPLOAD_TIMEOUT_MS = 15000;
  var PROBE_EVERY_MS = 5000;
  var BATCH = 200;
  var UNDO_WINDOW_MS = 15 * 60 * 1000;

  var online = true;
  var list = null; // the downloaded list: tickets, people, check-ins
  var people = {};
  var checkIns = {}; // "attendee:session" -> {at, by, device, nonce}
  var ownNonces = {}; // nonce -> key, for undo of this device's own check-ins
  var counts = null;
  var database = null;
  var probeTimer = null;
  var flushing = null;
  var lastCode = { code: "", at: 0 };

  var answer = document.getElementById("checkin-answer");
  var answerBody = document.getElementById("checkin-answer-body");
  var found = document.getElementById("checkin-found");
  var network = document.getElementById("checkin-network");
  var countsText = document.getElementById("checkin-counts");

  function fill(template, values) {
    return String(template).replace(/%\((\w+)\)s/g, function (_all, key) {
      return values[key] === undefined || values[key] === null ? "" : String(values[key]);
    });
  }

  function newNonce() {
    if (window.crypto && crypto.randomUUID) {
      return crypto.randomUUID().replace(/-/g, "");
    }
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function sha256(text) {
    var data = new TextEncoder().encode(text.trim());
    return crypto.subtle.digest("SHA-256", data).then(function (digest) {
      return Array.prototype.map.call(new Uint8Array(digest), function (b) {
        return ("0" + b.toString(16)).slice(-2);
      }).join("");
    });
  }

  function time(iso) {
    var date = new Date(iso);
    return ("0" + date.getHours()).slice(-2) + ":" + ("0" + date.getMinutes()).slice(-2);
  }

  function key(attendee, session) {
    return attendee + ":" + (session === null || session === undefined ? "" : session);
  }

  // IndexedDB: the queue survives a reload and a flat battery. ----------------------------

  function openDatabase() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open("goedeburen-checkin", 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore("queue", { keyPath: "seq", autoIncrement: true });
      };
      request.onsuccess = function () {
        resolve(request.result);
      };
      request.onerror = function () {
        reject(request.error);
      };
    });
  }

  function transact(mode, work) {
    return new Promise(function (resolve, reject) {
      var tx = database.transaction("queue", mode);
      var result = work(tx.objectStore("queue"));
      tx.oncomplete = function () {
        resolve(result && result.result !== undefined ? result.result : result);
      };
      tx.onerror = function () {
        reject(tx.error);
      };
    });
  }

  function enqueue(scan) {
    return transact("readwrite", function (store) {
      return store.add({ url: config.scansUrl, door: config.door, scan: scan });
    });
  }

  function queued() {
    return transact("readonly", function (store) {
      return store.getAll();
    }).then(function (rows) {
      return rows.filter(function (row) {
        return row.url === config.scansUrl;
      });
    });
  }

  function dequeue(seqs) {
    return transact("readwrite", function (store) {
      seqs.forEach(function (seq) {
        store.delete(seq);
      });
    });
  }

  // The network, with a deadline. ------------------------------------------------------

  function request(url, options, timeout) {
    var controller = new AbortController();
    var timer = setTimeout(function () {
      controller.abort();
    }, timeout);
    options.signal = controller.signal;
    options.credentials = "same-origin";
    return fetch(url, options).then(
      function (response) {
        clearTimeout(timer);
        return response;
      },
      function (error) {
        clearTimeout(timer);
        throw error;
      }
    );
  }

  function HttpRefusal(message) {
    this.message = message;
  }

  function postScans(scans, offline, door, timeout, withCounts) {
    return request(
      config.scansUrl,
      {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify({ door: door, offline: offline, scans: scans, counts: !!withCounts }),
      },
      timeout
    ).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) {
          throw new HttpRefusal(body.error || response.statusText);
        }
        return body;
      });
    });
  }

  function loadList() {
    return request(config.dataUrl, { method: "GET" }, UPLOAD_TIMEOUT_MS)
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.statusText);
        }
        return response.json();
      })
      .then(function (data) {
        list = data;
        people = {};
        data.people.forEach(function (person) {
          people[person.id] = person;
        });
        checkIns = {};
        data.check_ins.forEach(function (item) {
          checkIns[key(item.attendee, item.session)] = item;
        });
        counts = data.counts;
        showCounts();
      });
  }

  // Going offline and back. --------------------------------------------------------------

  function setOnline(value) {
    online = value;
    if (!online && probeTimer === null) {
      probeTimer = setInterval(tryReconnect, PROBE_EVERY_MS);
    }
    if (online && probeTimer !== null) {
      clearInterval(probeTimer);
      probeTimer = null;
    }
    showNetwork();
  }

  function showNetwork() {
    queued().then(function (rows) {
      var parts = [online ? texts.online : texts.offline];
      if (rows.length) {
        parts.push(fill(texts.queued, { count: rows.length }));
      }
      network.textContent = parts.join(" ");
      root.classList.toggle("checkin--offline", !online);
      root.dataset.queued = String(rows.length);
      root.dataset.online = online ? "1" : "0";
    });
  }

  function flush() {
    if (flushing) {
      return flushing;
    }
    flushing = queued()
      .then(function sendSome(rows) {
        if (!rows.length) {
          return postScans([], false, config.door, TIMEOUT_MS, true).then(function (body) {
            counts = body.counts;
          });
        }
        var batch = rows.slice(0, BATCH);
        var door = batch[0].door;
        var same = batch.filter(function (row) {
          return row.door === door;
        });
        return postScans(
          same.map(function (row) {
            return row.scan;
          }),
          true,
          door,
          UPLOAD_TIMEOUT_MS,
          true
        )
          .then(function (body) {
            counts = body.counts;
            return dequeue(
              same.map(function (row) {
                return row.seq;
              })
            );
          })
          .then(queued)
          .then(function (rest) {
            return rest.length ? sendSome(rest) : null;
          });
      })
      .then(
        function () {
          flushing = null;
        },
        function (error) {
          flushing = null;
          throw error;
        }
      );
    return flushing;
  }

  function tryReconnect() {
    return flush()
      .then(loadList)
      .then(function () {
        setOnline(true);
        root.dataset.synced = String(Date.now());
      })
      .catch(function () {
        setOnline(false);
      });
  }

  // Deciding: on the server when online, here when offline. ----------------------------

  function submit(scan) {
    if (online) {
      return postScans([scan], false, config.door, TIMEOUT_MS).then(
        function (body) {
          var result = body.results[0];
          remember(result, scan);
          countHere(result.outcome, scan.session);
          show(result);
        },
        function (error) {
          if (error instanceof HttpRefusal) {
            show({ outcome: "refused", message: error.message });
            return null;
          }
          setOnline(false);
          return decideHere(scan);
        }
      );
    }
    return decideHere(scan);
  }

  function remember(result, scan) {
    if (!result.check_in || !result.person) {
      return;
    }
    var k = key(result.person.id, result.check_in.session);
    if (result.outcome === "undone") {
      delete checkIns[k];
      return;
    }
    checkIns[k] = result.check_in;
    if (result.outcome === "checked_in") {
      ownNonces[scan.nonce] = k;
      checkIns[k].nonce = scan.nonce;
    }
  }

  function countHere(outcome, session) {
    // The server sends the counts with a queue or a probe; after one scan, count here.
    if (!counts) {
      return;
    }
    var step = outcome === "checked_in" ? 1 : outcome === "undone" ? -1 : 0;
    if (session === null || session === undefined) {
      counts.checked_in += step;
    } else {
      var pair = counts.sessions[String(session)] || [0, 0];
      counts.sessions[String(session)] = [pair[0] + step, pair[1]];
    }
  }

  function decideHere(scan) {
    var result = decide(scan);
    countHere(result.outcome, scan.session);
    var stored = result.queue ? enqueue(scan) : Promise.resolve();
    return stored.then(function () {
      show(result);
      showCounts();
      showNetwork();
    });
  }

  function decide(scan) {
    if (scan.undoes) {
      var k = ownNonces[scan.undoes];
      var stands = k && checkIns[k];
      if (!stands) {
        return { outcome: "not_undone", message: texts.not_checked_in };
      }
      if (Date.now() - new Date(stands.at).getTime() > UNDO_WINDOW_MS) {
        return { outcome: "not_undone", message: texts.too_late };
      }
      delete checkIns[k];
      delete ownNonces[scan.undoes];
      var person = people[Number(k.split(":")[0])];
      return {
        outcome: "undone",
        person: person,
        message: fill(texts.undone, { name: person ? person.name : "" }),
        queue: true,
      };
    }
    if (!list) {
      return { outcome: "refused", message: texts.unknown };
    }
    var attendee = scan.attendee;
    if (scan.ticket) {
      var entry = list.tickets[scan.ticket];
      if (!entry) {
        return { outcome: "refused", message: texts.unknown };
      }
      attendee = entry[0];
      if (entry[1]) {
        return { outcome: "refused", message: texts[entry[1]], person: people[attendee] };
      }
    }
    var who = people[attendee];
    if (!who) {
      return { outcome: "refused", message: texts.unknown };
    }
    if (who.refused) {
      return { outcome: "refused", message: texts[who.refused], person: who };
    }
    var here = key(attendee, scan.session);
    var existing = checkIns[here];
    if (existing) {
      return {
        outcome: "already",
        person: who,
        message: fill(texts.already, { at: time(existing.at), by: existing.by || "—" }),
      };
    }
    checkIns[here] = { at: scan.at, by: root.dataset.staff || "", device: config.device, nonce: scan.nonce };
    ownNonces[scan.nonce] = here;
    return {
      outcome: "checked_in",
      nonce: scan.nonce,
      person: who,
      message: fill(texts.checked_in, { name: who.name }),
      queue: true,
    };
  }

  // What the screen shows. ---------------------------------------------------------------

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function personCard(person) {
    var card = element("div", "checkin-person");
    var name = element("p", "utrecht-paragraph checkin-person__name");
    name.appendChild(element("strong", "", person.name));
    if (person.no_photos) {
      name.appendChild(document.createTextNode(" "));
      name.appendChild(element("span", "checkin-no-photos", texts.no_photos));
    }
    card.appendChild(name);
    if (person.organisation) {
      card.appendChild(element("p", "utrecht-paragraph", person.organisation));
    }
    if (person.sessions && person.sessions.length) {
      var lines = element("ul", "utrecht-unordered-list");
      person.sessions.forEach(function (line) {
        lines.appendChild(element("li", "utrecht-unordered-list__item", line));
      });
      card.appendChild(lines);
    }
    if (person.needs) {
      card.appendChild(element("p", "utrecht-paragraph", texts.needs + ": " + person.needs));
    }
    return card;
  }

  function show(result) {
    var ok = result.outcome === "checked_in" || result.outcome === "undone";
    answer.classList.toggle("checkin-answer--ok", ok);
    answer.classList.toggle("checkin-answer--stop", !ok);
    answerBody.textContent = "";
    answerBody.appendChild(element("p", "utrecht-paragraph checkin-message", result.message));
    if (result.person) {
      answerBody.appendChild(personCard(result.person));
    }
    if (result.outcome === "checked_in") {
      var actions = element("p", "utrecht-paragraph");
      var undo = element("button", "utrecht-button utrecht-button--secondary-action", texts.undo);
      undo.type = "button";
      undo.id = "checkin-undo";
      var nonce = result.nonce;
      undo.addEventListener("click", function () {
        undo.disabled = true;
        submit({ nonce: newNonce(), at: new Date().toISOString(), undoes: nonce, session: config.session });
      });
      actions.appendChild(undo);
      if (config.session === null && result.person) {
        actions.appendChild(document.createTextNode(" "));
        var badge = element("a", "utrecht-link", root.dataset.badgeText || "Badge");
        badge.href = config.badgeUrl.replace(/0\.pdf$/, result.person.id + ".pdf");
        actions.appendChild(badge);
      }
      answerBody.appendChild(actions);
    }
    showCounts();
  }

  function showCounts() {
    if (!counts) {
      return;
    }
    if (config.session !== null) {
      var pair = counts.sessions[String(config.session)] || [0, 0];
      countsText.textContent = fill(texts.counts, { checked: pair[0], expected: pair[1] });
    } else {
      countsText.textContent = fill(texts.counts, {
        checked: counts.checked_in,
        expected: counts.expected,
      });
    }
  }

  function search(text) {
    found.textContent = "";
    var words = text.toLowerCase().split(/\s+/).filter(Boolean);
    if (!words.length || !list) {
      return;
    }
    var matches = list.people.filter(function (person) {
      var name = person.name.toLowerCase();
      return words.every(function (word) {
        return name.indexOf(word) !== -1;
      });
    }).slice(0, 20);
    if (!matches.length) {
      found.appendChild(element("li", "checkin-found__item", texts.none_found));
      return;
    }
    matches.forEach(function (person) {
      var item = element("li", "checkin-found__item");
      item.appendChild(personCard(person));
      var stands = checkIns[key(person.id, config.session)];
      if (person.refused) {
        item.appendChild(element("p", "utrecht-paragraph", texts[person.refused]));
      } else if (stands) {
        item.appendChild(
          element("p", "utrecht-paragraph", fill(texts.already, { at: time(stands.at), by: stands.by || "—" }))
        );
      } else {
        var button = element(
          "button",
          "utrecht-button utrecht-button--primary-action",
          texts.check_in + ": " + person.name
        );
        button.type = "button";
        button.addEventListener("click", function () {
          found.textContent = "";
          submit({ nonce: newNonce(), at: new Date().toISOString(), attendee: person.id, session: config.session });
        });
        item.appendChild(button);
      }
      found.appendChild(item);
    });
  }

  function handleCode(code) {
    code = code.trim();
    if (!code) {
      return Promise.resolve();
    }
    return sha256(code).then(function (hash) {
      return submit({ nonce: newNonce(), at: new Date().toISOString(), ticket: hash, session: config.session });
    });
  }

  // Wiring. ---------------------------------------------------------------------------

  var codeForm = document.getElementById("checkin-code");
  var codeInput = document.getElementById("checkin-code-input");
  codeForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var code = codeInput.value;
    codeInput.value = "";
    handleCode(code).then(function () {
      codeInput.focus();
    });
  });

  var searchForm = document.getElementById("checkin-search");
  var searchInput = document.getElementById("checkin-search-input");
  searchForm.addEventListener("submit", function (event) {
    event.preventDefault();
    search(searchInput.value);
  });
  searchInput.addEventListener("input", function () {
    search(searchInput.value);
  });

  var camera = document.getElementById("checkin-camera");
  var video = document.getElementById("checkin-video");
  var scanner = null;
  if (window.QrScanner && navigator.mediaDevices) {
    camera.hidden = false;
    camera.addEventListener("click", function () {
      if (scanner) {
        scanner.stop();
        scanner.destroy();
        scanner = null;
        video.hidden = true;
        camera.textContent = texts.scan_start;
        return;
      }
      video.hidden = false;
      scanner = new window.QrScanner(
        video,
        function (result) {
          var now = Date.now();
          // One ticket held in front of the camera is one scan, not one per frame.
          if (result.data === lastCode.code && now - lastCode.at < 3000) {
            return;
          }
          lastCode = { code: result.data, at: now };
          handleCode(result.data);
        },
        { returnDetailedScanResult: true, preferredCamera: "environment" }
      );
      scanner.start().then(
        function () {
          camera.textContent = texts.scan_stop;
        },
        function () {
          video.hidden = true;
          scanner = null;
          show({ outcome: "refused", message: texts.camera_failed });
        }
      );
    });
  }

  window.addEventListener("online", tryReconnect);
  window.addEventListener("offline", function () {
    setOnline(false);
  });

  openDatabase()
    .then(function (db) {
      database = db;
    })
    .then(tryReconnect, function () {
      return tryReconnect();
    })
    .then(function () {
      root.dataset.ready = "1";
    });
})();
