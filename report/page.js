(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('lh-data').textContent);
  var rows = data.rows || [];
  var items = data.items || {};
  var enc = new TextEncoder();
  var dec = new TextDecoder();
  var PAGE = 50;
  var state = { filter: '', bench: '', method: '', score: 0, key: 'score', dir: -1, page: 0, view: [] };
  var $ = function (id) { return document.getElementById(id); };
  var tbody = document.querySelector('#findings tbody');

  function clamp(x, lo, hi) { return Math.max(lo, Math.min(hi, x)); }

  // Spans are byte offsets into UTF-8 text; strings here are UTF-16.
  function ranges(bytes, spans, offset) {
    var rs = [];
    (spans || []).forEach(function (s) {
      var lo = clamp(s.start - offset, 0, bytes.length), hi = clamp(s.end - offset, 0, bytes.length);
      if (hi > lo) { rs.push([lo, hi]); }
    });
    rs.sort(function (a, b) { return a[0] - b[0]; });
    var out = [];
    rs.forEach(function (r) {
      var last = out[out.length - 1];
      if (last && r[0] <= last[1]) { last[1] = Math.max(last[1], r[1]); } else { out.push(r); }
    });
    return out;
  }

  function docSpans(f) { return (f.spans || []).map(function (p) { return p.doc; }); }
  function itemSpans(f) { return (f.spans || []).map(function (p) { return p.item; }); }

  function alignedText(as) {
    return as.map(function (a) {
      if (a.item === a.doc) { return a.item; }
      return a.item + (a.how === 'same' || a.how === 'number' ? ' = ' : ' ~ ') + a.doc;
    }).join(', ');
  }

  function matched(f) {
    if (f.aligned && f.aligned.length) { return alignedText(f.aligned); }
    if (!f.excerpt || !f.spans || !f.spans.length) { return ''; }
    var b = enc.encode(f.excerpt.text);
    var r = ranges(b, [f.spans[0].doc], f.excerpt.offset)[0];
    return r ? dec.decode(b.subarray(r[0], r[1])) : '';
  }

  var hay = rows.map(function (f) {
    return [f.item, f.benchmark, f.method, f.verdict || '', f.doc.file, f.doc.id || '', String(f.doc.line), matched(f)].join('\n').toLowerCase();
  });

  function value(f, key) {
    switch (key) {
      case 'score': return f.score;
      case 'file': return f.doc.file;
      default: return f[key] || '';
    }
  }

  function compare(a, b) {
    var fa = rows[a], fb = rows[b];
    var va = value(fa, state.key), vb = value(fb, state.key);
    var c = va < vb ? -1 : (va > vb ? 1 : 0);
    if (c === 0 && state.key === 'file') { c = fa.doc.line - fb.doc.line; }
    return c * state.dir || a - b;
  }

  function apply() {
    var q = state.filter.trim().toLowerCase();
    var idx = [];
    for (var i = 0; i < rows.length; i++) {
      var f = rows[i];
      if (state.bench && f.benchmark !== state.bench) { continue; }
      if (state.method && f.method !== state.method) { continue; }
      if (f.score < state.score) { continue; }
      if (q && hay[i].indexOf(q) < 0) { continue; }
      idx.push(i);
    }
    idx.sort(compare);
    state.view = idx;
    state.page = 0;
    render();
  }

  function cell(tr, text, cls) {
    var td = document.createElement('td');
    td.textContent = text;
    if (cls) { td.className = cls; }
    tr.appendChild(td);
  }

  function render() {
    tbody.textContent = '';
    var start = state.page * PAGE, end = Math.min(state.view.length, start + PAGE);
    for (var k = start; k < end; k++) {
      var i = state.view[k], f = rows[i];
      var tr = document.createElement('tr');
      tr.dataset.index = String(i);
      cell(tr, f.score.toFixed(3), 'num');
      cell(tr, f.benchmark);
      cell(tr, f.item);
      cell(tr, f.method);
      cell(tr, f.verdict || '');
      cell(tr, f.doc.file + ':' + f.doc.line + (f.doc.id ? ' (' + f.doc.id + ')' : ''), 'where');
      cell(tr, matched(f), 'snippet');
      tbody.appendChild(tr);
    }
    $('page-info').textContent = state.view.length ? (start + 1) + '–' + end + ' of ' + state.view.length : 'no finding matches';
    $('match-count').textContent = state.view.length + ' of ' + rows.length + ' shown findings match';
    $('prev').disabled = state.page === 0;
    $('next').disabled = end >= state.view.length;
    document.querySelectorAll('#findings th[data-key]').forEach(function (th) {
      th.classList.toggle('sorted-asc', th.dataset.key === state.key && state.dir > 0);
      th.classList.toggle('sorted-desc', th.dataset.key === state.key && state.dir < 0);
    });
  }

  function highlight(pre, text, spans, offset) {
    pre.textContent = '';
    var b = enc.encode(text), pos = 0;
    ranges(b, spans, offset).forEach(function (r) {
      pre.appendChild(document.createTextNode(dec.decode(b.subarray(pos, r[0]))));
      var m = document.createElement('mark');
      m.textContent = dec.decode(b.subarray(r[0], r[1]));
      pre.appendChild(m);
      pos = r[1];
    });
    pre.appendChild(document.createTextNode(dec.decode(b.subarray(pos))));
  }

  function show(i) {
    var f = rows[i];
    document.querySelectorAll('#findings tr.selected').forEach(function (tr) { tr.classList.remove('selected'); });
    var tr = tbody.querySelector('tr[data-index="' + i + '"]');
    if (tr) { tr.classList.add('selected'); }
    $('detail').hidden = false;
    $('detail-title').textContent = f.benchmark + ' ' + f.item + ' — ' + f.method + ' score ' + f.score.toFixed(3) + (f.verdict ? ' (' + f.verdict + ')' : '');
    var it = items[f.item];
    if (it) {
      highlight($('detail-item'), it.text, itemSpans(f), 0);
    } else {
      $('detail-item').textContent = 'The item text is not in this report: run leakhound report with --bench to include it.';
    }
    $('detail-where').textContent = f.doc.file + ':' + f.doc.line + ', byte ' + f.doc.offset + (f.doc.id ? ', id ' + f.doc.id : '');
    if (f.excerpt) {
      highlight($('detail-doc'), f.excerpt.text, docSpans(f), f.excerpt.offset);
    } else {
      $('detail-doc').textContent = 'No excerpt in the finding.';
    }
    var ev = $('detail-evidence').querySelector('tbody');
    ev.textContent = '';
    var pairs = [['method', f.method], ['score', String(f.score)], ['verdict', f.verdict || ''], ['part', f.part || ''], ['cluster', f.cluster || ''], ['matched spans', String((f.spans || []).length)]];
    if (f.aligned && f.aligned.length) { pairs.push(['aligned (= same, ~ synonym or translation)', alignedText(f.aligned)]); }
    Object.keys(f.evidence || {}).sort().forEach(function (k) { pairs.push([k, String(f.evidence[k])]); });
    pairs.forEach(function (p) {
      if (!p[1]) { return; }
      var row = document.createElement('tr');
      var th = document.createElement('th');
      th.textContent = p[0];
      row.appendChild(th);
      cell(row, p[1]);
      ev.appendChild(row);
    });
  }

  $('filter').addEventListener('input', function (e) { state.filter = e.target.value; apply(); });
  $('f-bench').addEventListener('change', function (e) { state.bench = e.target.value; apply(); });
  $('f-method').addEventListener('change', function (e) { state.method = e.target.value; apply(); });
  $('f-score').addEventListener('input', function (e) { state.score = parseFloat(e.target.value) || 0; apply(); });
  $('prev').addEventListener('click', function () { if (state.page > 0) { state.page--; render(); } });
  $('next').addEventListener('click', function () { if ((state.page + 1) * PAGE < state.view.length) { state.page++; render(); } });
  document.querySelectorAll('#findings th[data-key]').forEach(function (th) {
    th.addEventListener('click', function () {
      var key = th.dataset.key;
      state.dir = state.key === key ? -state.dir : (key === 'score' ? -1 : 1);
      state.key = key;
      var keep = state.view.slice();
      keep.sort(compare);
      state.view = keep;
      state.page = 0;
      render();
    });
  });
  tbody.addEventListener('click', function (e) {
    var tr = e.target.closest('tr');
    if (tr && tr.dataset.index) { show(Number(tr.dataset.index)); }
  });
  window.leakhound = { rows: rows, state: state, show: show, apply: apply };
  apply();
  if (state.view.length) { show(state.view[0]); }
}());
