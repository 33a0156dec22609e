// 民声 staff UI: the little JavaScript the pages need. Pages work without
// it, except the admin page, which talks to the admin JSON API.
(function () {
  'use strict';

  function $(sel, root) { return (root || document).querySelector(sel); }
  function $$(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }

  // el builds an element; text children are set as text, never as HTML.
  function el(tag, attrs) {
    var e = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === null || v === undefined || v === false) return;
        if (k === 'class') e.className = v;
        else if (k === 'text') e.textContent = v;
        else if (k.slice(0, 2) === 'on') e.addEventListener(k.slice(2), v);
        else e.setAttribute(k, v === true ? '' : v);
      });
    }
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined || c === false) continue;
      e.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
    }
    return e;
  }

  function show(box, text) {
    if (!box) return;
    var m = $('.alert-msg', box) || box;
    m.textContent = text;
    box.hidden = !text;
  }

  // GET forms leave empty fields out of the address.
  $$('form[method="get"]').forEach(function (f) {
    f.addEventListener('submit', function (ev) {
      if (!window.URLSearchParams || !window.FormData) return;
      ev.preventDefault();
      var p = new URLSearchParams();
      new FormData(f).forEach(function (v, k) {
        if (typeof v === 'string' && v.trim() !== '') p.append(k, v);
      });
      var qs = p.toString();
      location.assign((f.getAttribute('action') || location.pathname) + (qs ? '?' + qs : ''));
    });
  });

  // Selects that apply at once.
  $$('select[data-autosubmit]').forEach(function (s) {
    s.addEventListener('change', function () {
      if (!s.form) return;
      if (s.form.requestSubmit) s.form.requestSubmit(); else s.form.submit();
    });
  });

  // "Back to results" goes to the search the user came from.
  $$('a[data-back]').forEach(function (a) {
    var r = document.referrer;
    if (r && r.indexOf(location.origin + '/') === 0) {
      var u = new URL(r);
      if (u.pathname === '/') a.href = u.pathname + u.search;
    }
  });

  // Excel downloads: fetch first, so an error of the API shows on the page
  // instead of being saved as a file.
  $$('a[data-download]').forEach(function (a) {
    a.addEventListener('click', function (ev) {
      if (ev.ctrlKey || ev.metaKey || ev.shiftKey || !window.fetch || !window.URL) return;
      ev.preventDefault();
      if (a.getAttribute('aria-busy') === 'true') return;
      var msg = document.getElementById(a.id ? a.id + '-msg' : '') || $('#export-msg');
      var label = a.textContent;
      a.setAttribute('aria-busy', 'true');
      a.textContent = '正在生成…';
      show(msg, '');
      if (msg) msg.classList.remove('bad');
      // An export waits when the server says so (429: this address's last
      // export still runs; 503: every export slot is taken): the page says
      // it waits and tries again after Retry-After, up to 30 times.
      var tries = 0;
      function attempt() {
        return fetch(a.href, { cache: 'no-store' }).then(function (res) {
          var wait = parseInt(res.headers.get('Retry-After') || '', 10);
          if ((res.status === 429 || res.status === 503) && wait > 0 && tries < 30) {
            tries++;
            a.textContent = '排队等待…';
            show(msg, res.status === 429
              ? '您的上一个导出还在进行，完成后将自动开始本次导出（' + wait + ' 秒后重试）。'
              : '导出繁忙：其他导出正在进行，本次导出在排队，' + wait + ' 秒后自动重试。');
            return new Promise(function (r) { setTimeout(r, wait * 1000); }).then(function () {
              a.textContent = '正在生成…';
              return attempt();
            });
          }
          return res;
        });
      }
      attempt().then(function (res) {
        if (!res.ok) {
          return res.json().catch(function () { return {}; }).then(function (d) {
            throw new Error('下载失败（' + res.status + '）：' + (d.error || res.statusText));
          });
        }
        var name = 'minsheng.xlsx';
        var cd = res.headers.get('Content-Disposition') || '';
        var m = /filename\*=UTF-8''([^;]+)/i.exec(cd) || /filename="?([^";]+)"?/i.exec(cd);
        if (m) { try { name = decodeURIComponent(m[1]); } catch (e) { name = m[1]; } }
        return res.blob().then(function (b) {
          var u = URL.createObjectURL(b);
          var tmp = el('a', { href: u, download: name, hidden: true });
          document.body.appendChild(tmp);
          tmp.click();
          tmp.remove();
          setTimeout(function () { URL.revokeObjectURL(u); }, 60000);
          if (msg) { show(msg, '已下载 ' + name); }
        });
      }).catch(function (e) {
        if (msg) { msg.classList.add('bad'); show(msg, e.message); msg.setAttribute('role', 'alert'); }
      }).then(function () {
        a.removeAttribute('aria-busy');
        a.textContent = label;
      });
    });
  });

  var admin = document.getElementById('admin');
  if (admin) adminPage(admin);

  // The document page's topic correction: PUT /api/v1/docs/{id}/topics with
  // the admin token the admin page keeps for the browser session.
  var topicEdit = document.getElementById('topic-edit');
  if (topicEdit) topicEdit.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var msg = document.getElementById('topic-msg');
    var tok = '';
    try { tok = sessionStorage.getItem('minsheng.adminToken') || ''; } catch (e) { /* private mode */ }
    if (!tok) { show(msg, '请先在“管理”页输入管理令牌。'); return; }
    var topics = document.getElementById('topic-input').value.split(/[,，、\s]+/).filter(function (t) { return t; });
    fetch('/api/v1/docs/' + encodeURIComponent(topicEdit.getAttribute('data-id')) + '/topics', {
      method: 'PUT', cache: 'no-store',
      headers: { 'Authorization': 'Bearer ' + tok, 'Content-Type': 'application/json', 'Accept': 'application/json' },
      body: JSON.stringify({ topics: topics })
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (d) {
        if (!res.ok) throw new Error(d.error || ('HTTP ' + res.status));
        window.location.reload();
      });
    }).catch(function (e) { show(msg, '没有保存：' + e.message); });
  });

  function adminPage(root) {
    var KEY = 'minsheng.adminToken';
    var errBox = $('#admin-err'), msgBox = $('#admin-msg');
    var login = $('#login'), panel = $('#panel');
    var pollTimer = null, running = {}, jobsSeq = 0;

    var states = { queued: '排队中', running: '运行中', succeeded: '成功', failed: '失败', cancelled: '已取消', skipped: '已跳过' };

    function token() { try { return sessionStorage.getItem(KEY) || ''; } catch (e) { return ''; } }
    function setToken(t) { try { if (t) sessionStorage.setItem(KEY, t); else sessionStorage.removeItem(KEY); } catch (e) { /* private mode */ } }

    function error(text) { show(errBox, text); if (text) msgBox.hidden = true; }
    function note(text) { msgBox.textContent = text; msgBox.hidden = !text; }

    function api(method, path, body) {
      var h = { 'Authorization': 'Bearer ' + token(), 'Accept': 'application/json' };
      if (body !== undefined) h['Content-Type'] = 'application/json';
      return fetch('/api/v1' + path, {
        method: method, headers: h, cache: 'no-store',
        body: body === undefined ? undefined : JSON.stringify(body)
      }).catch(function (e) {
        throw new Error('无法连接服务器：' + e.message);
      }).then(function (res) {
        // an action (not a read) is a new audit record: show it
        if (method !== 'GET' && res.status !== 401 && res.status !== 403) setTimeout(function () { loadAudit().catch(function () {}); }, 0);
        return res.json().catch(function () { return null; }).then(function (d) {
          if (res.ok) return d;
          var e = new Error(statusText(res.status) + '（' + res.status + '）：' + ((d && d.error) || res.statusText));
          e.status = res.status;
          e.data = d;
          if (res.status === 401 || res.status === 403) loggedOut();
          throw e;
        });
      });
    }

    function statusText(st) {
      switch (st) {
        case 400: return '输入有误';
        case 401: return '需要登录';
        case 403: return '令牌无效或无权限';
        case 404: return '未找到';
        case 409: return '操作冲突';
        case 503: return '服务暂不可用';
      }
      return '请求失败';
    }

    function when(s) {
      if (!s) return '—';
      var d = new Date(s);
      if (isNaN(d)) return s;
      return d.toLocaleString('zh-CN', { hour12: false });
    }
    function dur(sec) {
      if (!(sec >= 0)) return '—';
      sec = Math.round(sec);
      if (sec < 60) return sec + ' 秒';
      var m = Math.floor(sec / 60), s = sec % 60;
      if (m < 60) return m + ' 分 ' + s + ' 秒';
      return Math.floor(m / 60) + ' 小时 ' + (m % 60) + ' 分';
    }
    function n(x) { return (x || 0).toLocaleString('zh-CN'); }

    function loggedOut() {
      setToken('');
      stopPoll();
      panel.hidden = true;
      login.hidden = false;
    }

    function loggedIn() {
      login.hidden = true;
      panel.hidden = false;
      refreshAll();
    }

    login.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var t = $('#token').value.trim();
      if (!t) return;
      setToken(t);
      error('');
      api('GET', '/jobs?limit=1').then(function () {
        $('#token').value = '';
        note('已登录。');
        loggedIn();
      }).catch(function (e) { error(e.message); });
    });

    $('#logout').addEventListener('click', function () { loggedOut(); note('已退出登录。'); error(''); });
    $('#refresh').addEventListener('click', function () { error(''); refreshAll(); });

    $('#reindex').addEventListener('click', function () {
      var b = this;
      b.disabled = true;
      error('');
      api('POST', '/reindex').then(function (job) {
        note('已开始重建索引（任务 ' + job.id + '）。');
        return loadJobs();
      }).catch(function (e) { error(e.message); loadJobs(); }).then(function () { b.disabled = false; });
    });

    $('#add-schedule').addEventListener('submit', function (ev) {
      ev.preventDefault();
      var cron = $('#sched-cron').value.trim(), name = $('#sched-name').value.trim();
      error('');
      api('POST', '/schedules', { cron: cron, name: name }).then(function (sc) {
        note('已添加计划“' + (sc.name || sc.cron) + '”：' + (sc.description || sc.cron) +
          (sc.next ? '，下次运行 ' + when(sc.next) : '') + '。');
        $('#sched-cron').value = '';
        $('#sched-name').value = '';
        return loadSchedules();
      }).catch(function (e) { error(e.message); });
    });

    function refreshAll() {
      return Promise.all([loadJobs(), loadSchedules(), loadGenerations(), loadAudit()]).catch(function (e) { error(e.message); });
    }

    function stopPoll() { if (pollTimer) { clearTimeout(pollTimer); pollTimer = null; } }

    function loadJobs() {
      var my = ++jobsSeq; // only the latest load schedules the next poll
      stopPoll();
      return api('GET', '/jobs?limit=20').then(function (d) {
        if (my !== jobsSeq) return;
        var jobs = (d && d.jobs) || [];
        var now = {}, finished = [];
        jobs.forEach(function (j) {
          if (j.state === 'running' || j.state === 'queued') now[j.id] = true;
          else if (running[j.id]) finished.push(j);
        });
        running = now;
        renderJobs(jobs);
        finished.forEach(function (j) {
          if (j.state === 'succeeded') note('重建完成：新索引 ' + (j.generation || '') + '，共 ' + n(j.docs) + ' 篇，用时 ' + dur(j.seconds) + '。');
          else if (j.state === 'failed') error('重建失败：' + (j.error || '未知原因'));
          else if (j.state === 'cancelled') note('任务 ' + j.id + ' 已取消。');
        });
        if (finished.length) loadGenerations();
        if (Object.keys(running).length) pollTimer = setTimeout(loadJobs, 1500);
      }).catch(function (e) {
        if (my !== jobsSeq) return;
        error(e.message);
        if (Object.keys(running).length && token()) pollTimer = setTimeout(loadJobs, 3000);
      });
    }

    function renderJobs(jobs) {
      var box = $('#jobs');
      box.textContent = '';
      if (!jobs.length) { box.appendChild(el('p', { class: 'muted', text: '还没有重建任务。' })); return; }
      var tb = el('tbody');
      jobs.forEach(function (j) {
        var live = j.state === 'running' || j.state === 'queued';
        var pct = Math.max(0, Math.min(100, j.percent || 0));
        var prog = el('div', { class: 'prog' },
          el('progress', { max: '100', value: String(pct), 'aria-label': '任务 ' + j.id + ' 进度' }, pct.toFixed(0) + '%'),
          el('span', { class: 'prog-t' }, pct.toFixed(0) + '%'));
        var detail = n(j.docs) + (j.docs_estimate ? ' / 约 ' + n(j.docs_estimate) : '') + ' 篇';
        if (j.docs_per_second) detail += ' · ' + n(Math.round(j.docs_per_second)) + ' 篇/秒';
        if (live && j.stage === 'merging') detail += ' · 正在合并索引段';
        else if (live && j.eta_seconds) detail += ' · 剩余约 ' + dur(j.eta_seconds);
        if (!live) detail += ' · 用时 ' + dur(j.seconds);
        if (j.skipped) detail += ' · 跳过 ' + n(j.skipped) + ' 条';
        var actions = el('td', { class: 'act' });
        if (live) {
          actions.appendChild(el('button', {
            type: 'button', class: 'btn small danger', disabled: j.cancel_requested || null,
            'aria-label': '取消任务 ' + j.id,
            onclick: function () {
              var b = this; b.disabled = true; error('');
              api('POST', '/jobs/' + encodeURIComponent(j.id) + '/cancel').then(function () {
                note('已请求取消任务 ' + j.id + '。');
                return loadJobs();
              }).catch(function (e) { error(e.message); b.disabled = false; });
            }
          }, j.cancel_requested ? '正在取消…' : '取消'));
        }
        var st = el('span', { class: 'state st-' + j.state }, states[j.state] || j.state);
        tb.appendChild(el('tr', { 'data-job': j.id, 'data-state': j.state },
          el('td', { 'data-label': '任务' }, el('code', null, j.id), el('div', { class: 'sub' }, j.trigger === 'api' ? '手动' : (j.trigger || ''))),
          el('td', { 'data-label': '状态' }, st, j.error ? el('div', { class: 'sub bad' }, j.error) : null,
            j.generation ? el('div', { class: 'sub' }, '生成 ' + j.generation) : null),
          el('td', { 'data-label': '开始' }, when(j.start)),
          el('td', { 'data-label': '进度', class: 'progcell' }, el('div', { class: 'progbox' }, prog, el('div', { class: 'sub' }, detail))),
          actions));
      });
      box.appendChild(el('div', { class: 'tablewrap' }, el('table', { class: 'table' },
        el('thead', null, el('tr', null, el('th', { scope: 'col' }, '任务'), el('th', { scope: 'col' }, '状态'),
          el('th', { scope: 'col' }, '开始时间'), el('th', { scope: 'col' }, '进度'), el('th', { scope: 'col' }, el('span', { class: 'sr-only' }, '操作')))),
        tb)));
    }

    function loadSchedules() {
      return api('GET', '/schedules').then(function (d) {
        var scs = (d && d.schedules) || [];
        var box = $('#schedules');
        box.textContent = '';
        if (!scs.length) { box.appendChild(el('p', { class: 'muted', text: '没有定时计划。' })); return; }
        var tb = el('tbody');
        scs.forEach(function (sc) {
          tb.appendChild(el('tr', { 'data-schedule': sc.id },
            el('td', { 'data-label': '名称' }, sc.name || '（未命名）'),
            el('td', { 'data-label': '表达式' }, el('code', null, sc.cron)),
            el('td', { 'data-label': '说明', class: 'desc' }, sc.description || '—', sc.time_zone ? el('div', { class: 'sub' }, '时区 ' + sc.time_zone) : null),
            el('td', { 'data-label': '下次运行' }, when(sc.next)),
            el('td', { 'data-label': '上次运行' }, when(sc.last_fired)),
            el('td', { class: 'act' }, el('button', {
              type: 'button', class: 'btn small danger', 'aria-label': '删除计划 ' + (sc.name || sc.cron),
              onclick: function () {
                if (!window.confirm('删除计划“' + (sc.name || sc.cron) + '”？')) return;
                error('');
                api('DELETE', '/schedules/' + encodeURIComponent(sc.id)).then(function () {
                  note('已删除计划“' + (sc.name || sc.cron) + '”。');
                  return loadSchedules();
                }).catch(function (e) { error(e.message); });
              }
            }, '删除'))));
        });
        box.appendChild(el('div', { class: 'tablewrap' }, el('table', { class: 'table' },
          el('thead', null, el('tr', null, el('th', { scope: 'col' }, '名称'), el('th', { scope: 'col' }, '表达式'),
            el('th', { scope: 'col' }, '说明'), el('th', { scope: 'col' }, '下次运行'), el('th', { scope: 'col' }, '上次运行'),
            el('th', { scope: 'col' }, el('span', { class: 'sr-only' }, '操作')))),
          tb)));
      });
    }

    // The audit trail: who did what with a token, newest first.
    function loadAudit() {
      var outcomes = { ok: '成功', refused: '被拒绝', failed: '失败' };
      var tokens = { admin: '管理', editor: '编辑' };
      return api('GET', '/audit?limit=1000').then(function (d) {
        // the changes, not the reads (this page polls): GET /api/v1/audit has all
        var recs = ((d && d.records) || []).filter(function (r) { return r.method !== 'GET'; }).slice(0, 50);
        var box = $('#audit');
        box.textContent = '';
        if (!recs.length) { box.appendChild(el('p', { class: 'muted', text: '最近没有修改类操作。' })); return; }
        var tb = el('tbody');
        recs.forEach(function (r) {
          tb.appendChild(el('tr', { 'data-audit': r.id },
            el('td', { 'data-label': '时间' }, when(r.time)),
            el('td', { 'data-label': '令牌' }, tokens[r.token] || r.token),
            el('td', { 'data-label': '来源地址' }, el('code', null, r.client)),
            el('td', { 'data-label': '操作' }, el('code', null, r.method + ' ' + r.path)),
            el('td', { 'data-label': '结果' }, (outcomes[r.outcome] || r.outcome) + ' ' + r.status,
              r.error ? el('div', { class: 'sub' }, r.error) : null)));
        });
        box.appendChild(el('div', { class: 'tablewrap' }, el('table', { class: 'table' },
          el('thead', null, el('tr', null, el('th', { scope: 'col' }, '时间'), el('th', { scope: 'col' }, '令牌'),
            el('th', { scope: 'col' }, '来源地址'), el('th', { scope: 'col' }, '操作'), el('th', { scope: 'col' }, '结果'))),
          tb)));
      });
    }

    function loadGenerations() {
      return api('GET', '/generations').then(function (d) {
        var gens = (d && d.generations) || [];
        var box = $('#generations');
        box.textContent = '';
        if (!gens.length) { box.appendChild(el('p', { class: 'muted', text: '还没有索引版本。' })); return; }
        var tb = el('tbody');
        gens.forEach(function (g) {
          var act = el('td', { class: 'act' });
          if (g.serving) act.appendChild(el('span', { class: 'state st-succeeded' }, '正在使用'));
          else act.appendChild(el('button', {
            type: 'button', class: 'btn small', 'aria-label': '回滚到索引版本 ' + g.name,
            onclick: function () {
              if (!window.confirm('回滚到索引版本 ' + g.name + '？检索将立即改用该版本。')) return;
              error('');
              api('POST', '/generations/' + encodeURIComponent(g.name) + '/activate').then(function () {
                note('已切换到索引版本 ' + g.name + '。');
                return loadGenerations();
              }).catch(function (e) { error(e.message); });
            }
          }, '回滚到此版本'));
          tb.appendChild(el('tr', { 'data-generation': g.name, class: g.serving ? 'serving' : '' },
            el('td', { 'data-label': '版本' }, el('code', null, g.name)),
            el('td', { 'data-label': '建立时间' }, when(g.created)),
            el('td', { 'data-label': '文档数' }, n(g.docs)),
            el('td', { 'data-label': '用时' }, dur(g.seconds)),
            act));
        });
        box.appendChild(el('div', { class: 'tablewrap' }, el('table', { class: 'table' },
          el('thead', null, el('tr', null, el('th', { scope: 'col' }, '版本'), el('th', { scope: 'col' }, '建立时间'),
            el('th', { scope: 'col' }, '文档数'), el('th', { scope: 'col' }, '用时'), el('th', { scope: 'col' }, el('span', { class: 'sr-only' }, '操作')))),
          tb)));
      });
    }

    if (token()) {
      api('GET', '/jobs?limit=1').then(loggedIn).catch(function (e) { error(e.message); loggedOut(); });
    } else {
      loggedOut();
      $('#token').focus();
    }
  }

  // Live documents: 编辑 on the document page (PATCH /api/v1/docs/{id}
  // with If-Match) and 新增建议 (POST /api/v1/docs), with the editor or
  // admin token, typed once and kept for the browser session.
  var WRITE_KEY = 'minsheng.editorToken';
  function writeToken(form) {
    var input = $('.write-token input', form);
    if (input && input.value.trim()) return input.value.trim();
    try { return sessionStorage.getItem(WRITE_KEY) || sessionStorage.getItem('minsheng.adminToken') || ''; } catch (e) { return ''; }
  }
  function askToken(form, ask) {
    var box = $('.write-token', form);
    if (box) box.hidden = !ask;
  }
  function list(v) { return v.split(/[,，、;；\n]+/).map(function (x) { return x.trim(); }).filter(function (x) { return x; }); }
  function writeDoc(form, msg, method, path, body, version) {
    var tok = writeToken(form);
    if (!tok) { askToken(form, true); show(msg, '请输入编辑令牌或管理令牌。'); $('.write-token input', form).focus(); return Promise.reject(null); }
    var h = { 'Authorization': 'Bearer ' + tok, 'Content-Type': 'application/json', 'Accept': 'application/json' };
    if (version) h['If-Match'] = version;
    var btn = $('button[type="submit"]', form);
    btn.setAttribute('aria-busy', 'true');
    return fetch(path, { method: method, cache: 'no-store', headers: h, body: JSON.stringify(body) }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (d) {
        if (res.status === 401 || res.status === 403) {
          try { sessionStorage.removeItem(WRITE_KEY); } catch (e) { /* private mode */ }
          askToken(form, true);
          throw new Error('令牌无效：' + (d.error || res.status));
        }
        if (res.status === 409) throw new Error('文档已被他人修改，请刷新页面后再编辑。（' + (d.error || '') + '）');
        var item = d.items && d.items[0];
        if (!res.ok || !item || item.result === 'error') throw new Error((item && item.error) || d.error || ('HTTP ' + res.status));
        try { sessionStorage.setItem(WRITE_KEY, tok); } catch (e) { /* private mode */ }
        return item;
      });
    }).catch(function (e) {
      btn.removeAttribute('aria-busy');
      if (e) show(msg, '没有保存：' + e.message);
      throw null;
    });
  }

  var docEdit = document.getElementById('doc-edit');
  if (docEdit) {
    askToken(docEdit, !writeToken(docEdit));
    docEdit.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var msg = document.getElementById('edit-msg');
      show(msg, '');
      var status = $('#edit-status').value.trim();
      var body = {
        status: status || null,
        reply: $('#edit-reply').value.trim() || null,
        units: list($('#edit-units').value),
        topics: list($('#edit-topics').value)
      };
      writeDoc(docEdit, msg, 'PATCH', '/api/v1/docs/' + encodeURIComponent(docEdit.getAttribute('data-id')), body,
        docEdit.getAttribute('data-version')).then(function () { window.location.reload(); }, function () {});
    });
  }

  var newDoc = document.getElementById('new-doc');
  if (newDoc) {
    askToken(newDoc, !writeToken(newDoc));
    newDoc.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var msg = document.getElementById('new-msg');
      show(msg, '');
      var doc = { kind: 'suggestion' };
      ['id', 'title', 'body', 'number', 'session', 'author', 'delegation', 'status', 'date'].forEach(function (k) {
        var v = $('[name="' + k + '"]', newDoc).value.trim();
        if (v) doc[k] = v;
      });
      var units = list($('#new-units').value), topics = list($('#new-topics').value);
      if (units.length) doc.units = units;
      if (topics.length) doc.topics = topics;
      if ($('#new-key').checked) doc.key_supervised = true;
      writeDoc(newDoc, msg, 'POST', '/api/v1/docs', doc).then(function (item) {
        window.location.href = '/docs/' + encodeURIComponent(item.id);
      }, function () {});
    });
  }
})();
