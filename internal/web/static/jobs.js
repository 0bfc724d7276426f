// The job page: while the job runs, ask its state every second and move
// the progress bar; when it ends, load the page again to show the result.
(function () {
  'use strict';
  var box = document.getElementById('job');
  if (!box) return;
  var state = box.getAttribute('data-state');
  if (state !== 'queued' && state !== 'running') return;
  var api = box.getAttribute('data-api');
  var rows = box.getAttribute('data-rows') || '';
  function set(id, text) {
    var el = document.getElementById(id);
    if (el) el.textContent = text;
  }
  function tick() {
    fetch(api, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (j) {
        if (!j) { setTimeout(tick, 5000); return; }
        if (j.state === 'done' || j.state === 'failed') { window.location.reload(); return; }
        var bar = document.getElementById('job-progress');
        if (bar && j.total > 0) { bar.max = j.total; bar.value = j.done; bar.textContent = j.percent + '%'; }
        set('job-step', j.step_label || '');
        set('job-count', j.total > 0 ? j.done + ' / ' + j.total + ' ' + rows : '');
        set('job-left', j.left || '');
        setTimeout(tick, 1000);
      })
      .catch(function () { setTimeout(tick, 5000); });
  }
  setTimeout(tick, 1000);
})();
