// Meeting mode: saves the minutes as they are typed. Progressive enhancement of the minutes
// form, which saves with its button without this script.
//
// Each save sends the text with the version it is based on, to the form's own address, and
// takes the new version from the answer. If someone else saved in between, the server
// refuses and this script stops saving and shows the server's message: the Save button then
// shows both versions to merge. A save that does not arrive (no connection) is tried again,
// and the text waits in this tab (sessionStorage, gone when the tab closes) so a reload does
// not lose it.
(function () {
  "use strict";

  var form = document.querySelector("form[data-minutes-autosave]");
  if (!form || !window.fetch || !window.FormData) {
    return;
  }
  var text = form.querySelector("textarea");
  var version = form.querySelector("input[type=hidden][name$='version']");
  var status = document.getElementById("minutes-status");
  if (!text || !version || !status) {
    return;
  }

  var PAUSE_MS = 1500; // save when typing pauses this long
  var RETRY_MS = 5000; // try again this long after a save that did not arrive
  var draftKey = "familiebro-minutes:" + form.action;
  var timer = null;
  var inFlight = false;
  var unsaved = false; // the box holds text the server does not have
  var waiting = false; // the server refused the text: save again once it is changed
  var stopped = false; // after a conflict or the end of the session: only the Save button
  var submitPending = false; // a button was pressed while a save was on its way
  var submitter = null;

  function show(message) {
    status.textContent = message;
  }

  function keepDraft() {
    try {
      sessionStorage.setItem(draftKey, JSON.stringify({ version: version.value, text: text.value }));
    } catch (e) {
      // Storage may be full or off; the text is still in the box.
    }
  }

  function dropDraft() {
    try {
      sessionStorage.removeItem(draftKey);
    } catch (e) {
      // Nothing to drop.
    }
  }

  function schedule(delay) {
    window.clearTimeout(timer);
    timer = window.setTimeout(save, delay);
  }

  function finished(retry) {
    inFlight = false;
    if (submitPending) {
      submitPending = false;
      form.requestSubmit(submitter || undefined);
    } else if (unsaved && !stopped && !waiting) {
      schedule(retry ? RETRY_MS : PAUSE_MS);
    }
  }

  function answered(response, sent) {
    if (response.type === "opaqueredirect") {
      // Redirected to the login page: the session ended.
      stopped = true;
      show(form.dataset.textSession);
      return false;
    }
    return response.json().then(function (body) {
      if (response.ok) {
        version.value = body.version;
        show(body.status);
        unsaved = text.value !== sent;
        if (unsaved) {
          keepDraft();
        } else {
          dropDraft();
        }
      } else if (response.status === 409) {
        stopped = true;
        show(body.error);
      } else {
        // Something to fix in the text (an identity number, too long).
        waiting = true;
        show(body.error);
      }
      return false;
    });
  }

  function save() {
    window.clearTimeout(timer);
    if (inFlight || stopped || waiting || !unsaved) {
      return;
    }
    inFlight = true;
    var sent = text.value;
    show(form.dataset.textSaving);
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      redirect: "manual",
    })
      .then(function (response) {
        return answered(response, sent);
      })
      .catch(function () {
        show(form.dataset.textOffline);
        return true;
      })
      .then(finished);
  }

  // A draft left in this tab by a save that never arrived: put it back, on the version it
  // was written on, so that if someone saved since, it shows as a conflict instead of
  // overwriting anything.
  try {
    var draft = JSON.parse(sessionStorage.getItem(draftKey) || "null");
    if (draft && draft.text !== text.value) {
      text.value = draft.text;
      version.value = draft.version;
      unsaved = true;
      show(form.dataset.textUnsaved);
      schedule(0);
    } else {
      dropDraft();
    }
  } catch (e) {
    dropDraft();
  }

  text.addEventListener("input", function () {
    unsaved = true;
    waiting = false;
    keepDraft();
    if (!stopped) {
      show(form.dataset.textUnsaved);
      schedule(PAUSE_MS);
    }
  });

  window.addEventListener("online", function () {
    if (!stopped && !inFlight) {
      schedule(0);
    }
  });

  form.addEventListener("submit", function (event) {
    window.clearTimeout(timer);
    if (inFlight) {
      // Wait for the save on its way, so the form sends the version it produced.
      event.preventDefault();
      submitPending = true;
      submitter = event.submitter || null;
      return;
    }
    stopped = true;
    unsaved = false;
    dropDraft();
  });

  window.addEventListener("beforeunload", function (event) {
    if (unsaved || inFlight) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
