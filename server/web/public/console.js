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

  // Consent request: poll GET /v1/consent-requests/{id} until the citizen decides; reveal "Run the query".
  var status = document.getElementById('consent-status');
  if (status && status.dataset.poll) {
    var started = Date.now();
    var run = document.getElementById('run-query');
    var show = function (state) {
      if (state === status.dataset.status) return;
      status.dataset.status = state;
      var key = 'text' + state.charAt(0) + state.slice(1).toLowerCase();
      if (status.dataset[key]) status.textContent = status.dataset[key];
      status.className = 'notice' + (state === 'ACTIVE' ? ' ok' : state === 'REQUESTED' ? '' : ' error');
      if (run) run.hidden = state !== 'ACTIVE';
    };
    var poll = function () {
      if (Date.now() - started > 15 * 60 * 1000) return;
      fetch(status.dataset.poll, { credentials: 'same-origin', headers: { accept: 'application/json' } })
        .then(function (res) {
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
