// Clerk console, progressive enhancement only (every feature works without it): checks identifiers as they are
// typed, follows a citizen consent request until the citizen decides, shows the print button, focuses errors.
(function () {
  'use strict';

  var fill = function (template, params) {
    return String(template || '').replace(/\{(\w+)\}/g, function (m, name) {
      return params[name] === undefined ? m : params[name];
    });
  };
  var csrf = function () {
    var el = document.querySelector('input[name="_csrf"]');
    return el ? el.value : '';
  };

  // Errors: move focus to the summary so keyboard and screen-reader users start there.
  var summary = document.querySelector('.error-summary');
  if (summary) summary.focus();

  // Identifiers: POST /v1/identifier-schemes/{scheme}/check as the clerk types (debounced) and on leaving the field.
  var form = document.querySelector('form.counter');
  if (form) {
    var inputs = form.querySelectorAll('input[data-scheme], input[data-scheme-from]');
    Array.prototype.forEach.call(inputs, function (input) {
      var out = document.getElementById(input.id + '-check');
      var timer;
      var schemeOf = function () {
        if (input.dataset.scheme) return { id: input.dataset.scheme, name: input.dataset.schemeName };
        var el = document.getElementById(input.dataset.schemeFrom);
        if (el && el.tagName === 'SELECT') {
          return { id: el.value, name: el.options[el.selectedIndex].text };
        }
        return { id: el ? el.value : 'rrn', name: input.dataset.schemeName };
      };
      var check = function (final) {
        var value = input.value.trim();
        if (!out) return;
        if (!value) {
          out.textContent = '';
          out.className = 'check';
          return;
        }
        var scheme = schemeOf();
        fetch('/v1/identifier-schemes/' + encodeURIComponent(scheme.id) + '/check', {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'content-type': 'application/json', 'x-csrf-token': csrf(), accept: 'application/json' },
          body: JSON.stringify({ value: value }),
        })
          .then(function (res) {
            if (input.value.trim() !== value) return;
            if (res.ok) {
              return res.json().then(function (body) {
                out.textContent = fill(form.dataset.msgValid, { masked: body.masked });
                out.className = 'check ok';
                input.removeAttribute('aria-invalid');
              });
            }
            if (res.status === 400 && final) {
              out.textContent = fill(form.dataset.msgInvalid, { scheme: scheme.name });
              out.className = 'check bad';
              input.setAttribute('aria-invalid', 'true');
            } else if (res.status === 400) {
              out.textContent = '';
              out.className = 'check';
            }
          })
          .catch(function () {
            /* the server checks again on submit */
          });
      };
      input.addEventListener('input', function () {
        window.clearTimeout(timer);
        timer = window.setTimeout(function () {
          check(false);
        }, 350);
      });
      input.addEventListener('change', function () {
        window.clearTimeout(timer);
        check(true);
      });
    });
  }

  // Consent request: poll GET /v1/consent-requests/{id} until the citizen decides. Each state shows its own parts
  // (data-show-in): the QR code, countdown and cancel only while the request waits; "Run the query" once approved.
  var status = document.getElementById('consent-status');
  if (status && status.dataset.poll) {
    var started = Date.now();
    var title = document.getElementById('wait-title');
    var restart = document.getElementById('start-again');
    var show = function (state) {
      if (state === status.dataset.status) return;
      status.dataset.status = state;
      var key = 'text' + state.charAt(0) + state.slice(1).toLowerCase();
      if (status.dataset[key]) status.textContent = status.dataset[key];
      status.className = 'notice' + (state === 'ACTIVE' ? ' ok' : state === 'REQUESTED' ? '' : ' error');
      Array.prototype.forEach.call(document.querySelectorAll('[data-show-in]'), function (el) {
        el.hidden = el.dataset.showIn !== state;
      });
      if (title) {
        title.textContent =
          state === 'REQUESTED'
            ? title.dataset.titleRequested
            : state === 'ACTIVE'
              ? title.dataset.titleActive
              : title.dataset.titleEnded;
      }
      if (restart)
        restart.className =
          'button ' + (state === 'REQUESTED' || state === 'ACTIVE' ? 'secondary' : 'primary');
    };
    var poll = function () {
      if (Date.now() - started > 15 * 60 * 1000) return;
      fetch(status.dataset.poll, { credentials: 'same-origin', headers: { accept: 'application/json' } })
        .then(function (res) {
          if (res.status === 401) sessionEnded();
          return res.ok ? res.json() : null;
        })
        .then(function (body) {
          if (body && body.status) show(body.status);
          if (!body || body.status === 'REQUESTED') window.setTimeout(poll, 1500);
        })
        .catch(function () {
          window.setTimeout(poll, 5000);
        });
    };
    if (status.dataset.status === 'REQUESTED') window.setTimeout(poll, 1500);

    // Countdown to the request's expiry, from the server's figure at page time; at zero, ask the server.
    var countdown = document.getElementById('countdown');
    if (countdown && status.dataset.status === 'REQUESTED') {
      var parts = countdown.textContent.trim().split(':');
      var end = Date.now() + (Number(parts[0]) * 60 + Number(parts[1])) * 1000;
      var tick = function () {
        var left = Math.max(0, Math.round((end - Date.now()) / 1000));
        countdown.textContent = Math.floor(left / 60) + ':' + String(left % 60).padStart(2, '0');
        if (status.dataset.status !== 'REQUESTED') return;
        if (left === 0) {
          poll();
          return;
        }
        window.setTimeout(tick, 1000);
      };
      tick();
    }
  }

  // The counter form: the access mode decides which records can be ticked; a record's own number only when ticked.
  if (form) {
    var modes = form.querySelectorAll('input[name="mode"]');
    var applyMode = function () {
      var chosen = form.querySelector('input[name="mode"]:checked');
      if (!chosen) return;
      Array.prototype.forEach.call(
        form.querySelectorAll('input[name="records"][data-modes]'),
        function (box) {
          var ok = box.dataset.modes.split(' ').indexOf(chosen.value) >= 0;
          box.disabled = !ok;
          if (!ok) box.checked = false;
          syncObject(box);
        },
      );
    };
    var syncObject = function (box) {
      var nested = form.querySelector('[data-object-for="' + box.id + '"]');
      if (!nested) return;
      var input = nested.querySelector('input');
      if (input) {
        input.disabled = !box.checked;
        input.setAttribute('aria-required', box.checked ? 'true' : 'false');
      }
    };
    Array.prototype.forEach.call(modes, function (radio) {
      radio.addEventListener('change', applyMode);
    });
    Array.prototype.forEach.call(form.querySelectorAll('input[name="records"]'), function (box) {
      box.addEventListener('change', function () {
        syncObject(box);
      });
      syncObject(box);
    });
    applyMode();
  }

  // The typed form is kept in this tab (sessionStorage) until a request or result page for it loads, so an
  // expired session loses nothing: after signing in again the form comes back filled.
  var DRAFT = 'juc.console.draft';
  var readDraft = function () {
    try {
      return JSON.parse(window.sessionStorage.getItem(DRAFT) || 'null');
    } catch {
      return null;
    }
  };
  var clearDraft = function () {
    try {
      window.sessionStorage.removeItem(DRAFT);
    } catch {
      /* storage unavailable */
    }
  };
  if (document.querySelector('[data-clear-draft-page]')) clearDraft();
  Array.prototype.forEach.call(document.querySelectorAll('form[data-clear-draft]'), function (f) {
    f.addEventListener('submit', clearDraft);
  });
  var kept = document.getElementById('draft-kept');
  if (kept && readDraft()) kept.hidden = false;
  if (form && form.dataset.draft) {
    var saveDraft = function () {
      var values = [];
      Array.prototype.forEach.call(form.elements, function (el) {
        if (!el.name || el.name === '_csrf' || el.type === 'hidden' || el.type === 'submit') return;
        if ((el.type === 'checkbox' || el.type === 'radio') && !el.checked) return;
        values.push([el.name, el.value]);
      });
      try {
        window.sessionStorage.setItem(DRAFT, JSON.stringify({ purpose: form.dataset.draft, values: values }));
      } catch {
        /* storage unavailable */
      }
    };
    var draft = readDraft();
    var fresh = !document.querySelector('.error-summary');
    if (draft && draft.purpose === form.dataset.draft && fresh) {
      Array.prototype.forEach.call(
        form.querySelectorAll('input[type="checkbox"], input[type="radio"]'),
        function (el) {
          el.checked = draft.values.some(function (v) {
            return v[0] === el.name && v[1] === el.value;
          });
        },
      );
      draft.values.forEach(function (v) {
        var el = form.elements.namedItem(v[0]);
        if (el && el.type === 'text') el.value = v[1];
        if (el && el.tagName === 'SELECT') el.value = v[1];
      });
      var restored = document.getElementById('draft-restored');
      if (restored) restored.hidden = false;
      if (modes.length) applyMode();
      Array.prototype.forEach.call(form.querySelectorAll('input[name="records"]'), syncObject);
    }
    form.addEventListener('input', saveDraft);
    form.addEventListener('change', saveDraft);
    form.addEventListener('submit', saveDraft);
  }

  // Idle session: warn before it ends ("Stay signed in" asks the server, which renews it), then say it ended.
  var warning = document.getElementById('session-warning');
  var ended = document.getElementById('session-expired');
  function sessionEnded() {
    if (warning) warning.hidden = true;
    if (ended) ended.hidden = false;
  }
  if (warning && warning.dataset.idleSeconds) {
    var idle = Number(warning.dataset.idleSeconds) * 1000;
    var warnBefore = Number(warning.dataset.warnSeconds) * 1000;
    var timers = [];
    var arm = function () {
      timers.forEach(window.clearTimeout);
      warning.hidden = true;
      timers = [
        window.setTimeout(
          function () {
            warning.hidden = false;
          },
          Math.max(0, idle - warnBefore),
        ),
        window.setTimeout(sessionEnded, idle),
      ];
    };
    var stay = document.getElementById('session-stay');
    if (stay) {
      stay.addEventListener('click', function () {
        fetch('/auth/session', { credentials: 'same-origin', headers: { accept: 'application/json' } })
          .then(function (res) {
            if (res.ok) arm();
            else sessionEnded();
          })
          .catch(sessionEnded);
      });
    }
    arm();
  }

  // Verification slip: the print button needs script; without it the hint points at the browser's print command.
  Array.prototype.forEach.call(document.querySelectorAll('[data-print]'), function (button) {
    button.hidden = false;
    button.addEventListener('click', function () {
      window.print();
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll('.print-hint'), function (hint) {
    hint.hidden = true;
  });
  // The slip lists the withheld fields too: open their folded lists before printing.
  window.addEventListener('beforeprint', function () {
    Array.prototype.forEach.call(document.querySelectorAll('details.withheld'), function (details) {
      details.open = true;
    });
  });
})();
