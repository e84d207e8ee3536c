"use strict";
// The cluster browser of quchong's report: reads the JSON in #report-data,
// lists clusters a page at a time, and renders one cluster with a
// character-level diff and placeholder masks marked.
(function () {
  var PAGE = 50, PAIRS = 10, MAX_D = 1500; // MAX_D bounds the diff's work: O((N+M)·D) time, O(D²) memory
  var raw = JSON.parse(document.getElementById("report-data").textContent);
  var meta = raw.meta, sources = meta.sources || [];
  var FLAG_KEPT = 1, FLAG_EXACT = 2, FLAG_REL = 4;

  // Unpack the compact arrays into objects once.
  var clusters = raw.clusters.map(function (c, rank) {
    var members = c[2].map(function (m) {
      var src = sources[m[3]] || "";
      return {
        id: (m[1] & FLAG_REL) ? src + ":" + m[0] : m[0],
        kept: !!(m[1] & FLAG_KEPT), exact: !!(m[1] & FLAG_EXACT),
        sim: m[2], source: src,
        text: m.length > 4 ? m[4] : null, full: m.length > 5 ? m[5] : -1
      };
    });
    var minSim = 1, near = false;
    members.forEach(function (m) {
      if (!m.kept) { minSim = Math.min(minSim, m.sim); near = near || !m.exact; }
    });
    return { id: c[0], size: c[1], members: members, textState: c[3], rank: rank, minSim: minSim, near: near, hay: null };
  });
  var byId = {};
  clusters.forEach(function (c) { byId[c.id] = c; });

  var $ = function (id) { return document.getElementById(id); };
  var state = { q: "", sort: "size", filter: "all", page: 0, list: clusters, open: null };

  function esc(s) {
    return s.replace(/[&<>"]/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]; });
  }
  function fmt(n) { return n.toLocaleString("en-US"); }
  // plural is the count and the noun, in the plural unless the count is one.
  function plural(n, word) { return fmt(n) + " " + (n === 1 ? word : word + "s"); }

  // ---- the note on what the page holds ----
  (function () {
    var parts = [];
    if (meta.listedClusters < meta.totalClusters) {
      parts.push("Listing the " + fmt(meta.listedClusters) + " largest of " + fmt(meta.totalClusters) + " clusters (clusters.jsonl has them all).");
    }
    if (meta.textClusters < meta.listedClusters) {
      parts.push("Texts are inlined for " + fmt(meta.textClusters) + " of the listed clusters (the largest, within " +
        fmt(meta.maxClustersWithText) + " clusters and " + (meta.maxTextBytes / 1e6).toFixed(1) + " MB); the others show ids only.");
    }
    if (meta.cutTexts > 0) {
      parts.push(plural(meta.cutTexts, "text") + (meta.cutTexts === 1 ? " is" : " are") + " cut at " + fmt(meta.textCap) + " characters.");
    }
    parts.push("Text search covers inlined texts only; ids are searched in every listed cluster.");
    $("text-note").textContent = parts.join(" ");
  })();

  // ---- list, search, pages ----
  function haystack(c) {
    if (c.hay === null) {
      c.hay = c.members.map(function (m) { return m.id.toLowerCase() + "\u0000" + (m.text || "").toLowerCase(); }).join("\u0000");
    }
    return c.hay;
  }
  function recompute() {
    var q = state.q.trim().toLowerCase(), idq = /^#?\d+$/.test(q) ? +q.replace("#", "") : null;
    var list = clusters.filter(function (c) {
      if (state.filter === "near" && !c.near) return false;
      if (state.filter === "exact" && c.near) return false;
      if (q === "") return true;
      if (idq !== null && c.id === idq) return true;
      if (q.charAt(0) === "#") return false;
      return haystack(c).indexOf(q) >= 0;
    });
    if (state.sort === "sim") list.sort(function (a, b) { return a.minSim - b.minSim || a.rank - b.rank; });
    else if (state.sort === "id") list.sort(function (a, b) { return a.id - b.id; });
    state.list = list;
    $("match-count").textContent = fmt(list.length) + (q || state.filter !== "all" ? " matching" : "") + (list.length === 1 ? " cluster" : " clusters");
  }
  function snippet(c) {
    var k = c.members[0];
    if (k && k.text) return esc(k.text.slice(0, 60));
    return '<span class="muted">' + (c.textState === 2 ? "text past the size budget" : "text not inlined") + "</span>";
  }
  function renderList() {
    var pages = Math.max(1, Math.ceil(state.list.length / PAGE));
    state.page = Math.min(state.page, pages - 1);
    var from = state.page * PAGE, html = [];
    state.list.slice(from, from + PAGE).forEach(function (c) {
      var sel = state.open === c ? " selected" : "";
      html.push('<li class="cluster-row' + sel + '" data-cluster-id="' + c.id + '" tabindex="0">' +
        '<div class="row-head"><b>#' + c.id + "</b><span>" + plural(c.size, "doc") + "</span>" +
        '<span class="badge ' + (c.near ? "near" : "exact") + '">' + (c.near ? "near" : "exact") + "</span>" +
        '<span class="sim">' + (c.near ? "min sim " + c.minSim.toFixed(2) : "") + "</span></div>" +
        '<div class="row-text">' + snippet(c) + "</div></li>");
    });
    if (html.length === 0) html.push('<li class="muted">No cluster matches.</li>');
    $("cluster-list").innerHTML = html.join("");
    $("pager").innerHTML = '<button id="prev"' + (state.page === 0 ? " disabled" : "") + ">‹ prev</button>" +
      "<span>page " + fmt(state.page + 1) + " of " + fmt(pages) + "</span>" +
      '<button id="next"' + (state.page >= pages - 1 ? " disabled" : "") + ">next ›</button>";
  }

  // ---- masks: the rules of package normalize, on the original text ----
  var CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Bopomofo}]/u;
  function isAlnum(ch) { return /^[A-Za-z0-9\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A]$/.test(ch); }
  function isX(ch) { return ch === "X" || ch === "x" || ch === "\uFF38" || ch === "\uFF58"; }
  function isStar(ch) { return ch === "*" || ch === "\uFF0A"; }
  function isDigit(ch) { return /^[0-9\uFF10-\uFF19]$/.test(ch); }
  function isMul(ch) { return ch === "\u00D7" || ch === "\u67D0" || ch === "\u25CB" || ch === "\u25A1"; }
  function masks(a) {
    var n = a.length, out = new Uint8Array(n), i = 0, j, k, star;
    while (i < n) {
      var ch = a[i];
      if (isStar(ch) || isDigit(ch)) {
        j = i; star = false;
        while (j < n && (isStar(a[j]) || isDigit(a[j]))) { star = star || isStar(a[j]); j++; }
        if (star) for (k = i; k < j; k++) out[k] = 1;
        i = j;
      } else if (isX(ch)) {
        j = i;
        while (j < n && isX(a[j])) j++;
        var p = i > 0 ? a[i - 1] : "", q = j < n ? a[j] : "";
        if (!isAlnum(p) && !isAlnum(q) && (j - i >= 2 || CJK.test(p) || CJK.test(q))) for (k = i; k < j; k++) out[k] = 1;
        i = j;
      } else if (isMul(ch)) {
        j = i;
        while (j < n && isMul(a[j])) j++;
        if (j - i >= 2) for (k = i; k < j; k++) out[k] = 1;
        i = j;
      } else i++;
    }
    return out;
  }

  // ---- diff: Myers O(ND) over tokens, marking tokens only in a or only in b ----
  function myers(a, b, da, db, aOff, bOff, maxD) {
    var n = a.length, m = b.length, off = maxD + 1, V = new Int32Array(2 * maxD + 3), trace = [];
    for (var d = 0; d <= maxD; d++) {
      trace.push(V.slice(off - d, off + d + 1));
      for (var k = -d; k <= d; k += 2) {
        var x = (k === -d || (k !== d && V[off + k - 1] < V[off + k + 1])) ? V[off + k + 1] : V[off + k - 1] + 1;
        var y = x - k;
        while (x < n && y < m && a[x] === b[y]) { x++; y++; }
        V[off + k] = x;
        if (x >= n && y >= m) {
          // Walk back through the trace, marking each non-diagonal step.
          for (var e = d; e > 0; e--) {
            var Vp = trace[e], kk = x - y, get = function (j) { return Vp[j + e]; };
            var pk = (kk === -e || (kk !== e && get(kk - 1) < get(kk + 1))) ? kk + 1 : kk - 1;
            var px = get(pk), py = px - pk;
            while (x > px && y > py) { x--; y--; }
            if (pk === kk + 1) db[bOff + py] = 1; else da[aOff + px] = 1;
            x = px; y = py;
          }
          return true;
        }
      }
    }
    return false;
  }
  function sentences(a) {
    var out = [], cur = "";
    for (var i = 0; i < a.length; i++) {
      cur += a[i];
      if ("。！？；;!?\n".indexOf(a[i]) >= 0) { out.push(cur); cur = ""; }
    }
    if (cur) out.push(cur);
    return out;
  }
  // diff marks the characters of a (kept) and b (removed) that the other
  // lacks. It trims the common ends, tries a character diff, falls back to a
  // sentence diff when the texts differ too much, and at worst marks the
  // whole middle.
  function diff(a, b) {
    var da = new Uint8Array(a.length), db = new Uint8Array(b.length);
    var s = 0, ea = a.length, eb = b.length;
    while (s < ea && s < eb && a[s] === b[s]) s++;
    while (ea > s && eb > s && a[ea - 1] === b[eb - 1]) { ea--; eb--; }
    var ma = a.slice(s, ea), mb = b.slice(s, eb), level = "character";
    if (ma.length && mb.length) {
      var ok = myers(ma, mb, da, db, s, s, Math.min(MAX_D, ma.length + mb.length));
      if (!ok) {
        level = "sentence";
        var sa = sentences(ma), sb = sentences(mb), ta = new Uint8Array(sa.length), tb = new Uint8Array(sb.length);
        if (!myers(sa, sb, ta, tb, 0, 0, Math.min(MAX_D, sa.length + sb.length))) { level = "none"; ta.fill(1); tb.fill(1); }
        var spread = function (toks, marks, out) {
          var p = s;
          toks.forEach(function (t, i) { var L = Array.from(t).length; if (marks[i]) out.fill(1, p, p + L); p += L; });
        };
        spread(sa, ta, da); spread(sb, tb, db);
      }
    } else {
      da.fill(1, s, ea); db.fill(1, s, eb);
    }
    return { da: da, db: db, level: level };
  }

  // render writes chars with diff marks (as tag, "del" or "ins") and masks.
  function render(chars, marks, mask, tag, counts) {
    var html = [], i = 0, n = chars.length;
    while (i < n) {
      var d = marks[i], mk = mask[i], j = i;
      while (j < n && marks[j] === d && mask[j] === mk) j++;
      var inner = esc(chars.slice(i, j).join(""));
      if (mk) { inner = '<span class="mask">' + inner + "</span>"; counts.masks++; }
      if (d) { inner = "<" + tag + ">" + inner + "</" + tag + ">"; counts[tag]++; }
      html.push(inner);
      i = j;
    }
    return html.join("");
  }

  function memberHead(m, role) {
    var what = role === "kept" ? "kept" : (m.exact ? "removed · exact" : "removed · near · similarity " + m.sim.toFixed(3));
    return '<div class="side-head"><span class="role ' + role + '">' + what + '</span><span class="doc-id" title="' +
      esc(m.source) + '">' + esc(m.id) + "</span></div>";
  }
  function cutNote(m) {
    return m.full >= 0 ? '<div class="cut">cut: first ' + fmt(meta.textCap) + " of " + fmt(m.full) + " characters</div>" : "";
  }

  function runs(mask) {
    var n = 0;
    for (var i = 0; i < mask.length; i++) if (mask[i] && (i === 0 || !mask[i - 1])) n++;
    return n;
  }
  function maskNote(ma, mb) {
    var x = runs(ma), y = runs(mb);
    return x || y ? ' · <span class="mask-note">placeholder masks: ' + x + " kept, " + y + " removed</span>" : "";
  }
  function pairHTML(c, kept, m, counts) {
    var a = Array.from(kept.text), b = Array.from(m.text), r = diff(a, b), ma = masks(a), mb = masks(b);
    var same = 0;
    for (var i = 0; i < b.length; i++) if (!r.db[i]) same++;
    var share = b.length ? same / Math.max(a.length, b.length) : 1;
    var note = r.level === "character" ? "" : r.level === "sentence" ?
      ' · <span class="warn">sentence-level diff (too many changes for characters)</span>' : ' · <span class="warn">too different to diff</span>';
    var identical = (a.length === b.length && same === b.length) ? ' · <span class="ok">identical text</span>' : "";
    return '<div class="pair" data-doc-id="' + esc(m.id) + '"><div class="pair-stats">' + (100 * share).toFixed(1) +
      "% of characters shared" + identical + maskNote(ma, mb) + note + '</div><div class="sides">' +
      '<div class="side kept">' + memberHead(kept, "kept") + '<div class="text">' + render(a, r.da, ma, "del", counts) + "</div>" + cutNote(kept) + "</div>" +
      '<div class="side removed">' + memberHead(m, "removed") + '<div class="text">' + render(b, r.db, mb, "ins", counts) + "</div>" + cutNote(m) + "</div>" +
      "</div></div>";
  }

  function openCluster(c, push) {
    state.open = c;
    var box = $("cluster-detail");
    var counts = { ins: 0, del: 0, masks: 0 }, kept = c.members[0], html = [];
    var ids = c.members.map(function (m) { return m.id; }).join(" ");
    html.push('<div class="detail-head"><h3>Cluster #' + c.id + "</h3><span>" + plural(c.size, "document") + " · " +
      (c.near ? "near duplicates, min similarity " + c.minSim.toFixed(3) : "exact duplicates") + "</span>" +
      '<span class="legend-inline"><del>only in kept</del> <ins>only in removed</ins> <span class="mask" title="placeholder runs (XX, **, 20**, ××, 某某, ○○, □□) that the normaliser treats as one wildcard">mask</span></span></div>');
    if (c.members.length < c.size) {
      html.push('<p class="note">Listing ' + fmt(c.members.length) + " of " + fmt(c.size) + " members (see clusters.jsonl for all).</p>");
    }
    var body = document.createElement("div");
    if (kept && kept.text !== null) {
      var removed = c.members.slice(1), shown = 0;
      var more = function () {
        var part = [];
        removed.slice(shown, shown + PAIRS).forEach(function (m) { part.push(pairHTML(c, kept, m, counts)); });
        shown = Math.min(removed.length, shown + PAIRS);
        var btn = body.querySelector(".more");
        if (btn) btn.remove();
        body.insertAdjacentHTML("beforeend", part.join(""));
        if (shown < removed.length) {
          body.insertAdjacentHTML("beforeend", '<button class="more">show ' + Math.min(PAIRS, removed.length - shown) + " more of " + (removed.length - shown) + "</button>");
          body.querySelector(".more").onclick = function () { more(); mark(); };
        }
      };
      more();
    } else {
      html.push('<p class="note">' + (c.textState === 2 ? "Texts not inlined: the report's text budget was spent on larger clusters."
        : "Texts not inlined: only the " + fmt(meta.maxClustersWithText) + " largest clusters carry their texts.") + "</p>");
      var rows = c.members.map(function (m) {
        return "<tr><td>" + esc(m.id) + "</td><td>" + (m.kept ? "kept" : "removed") + "</td><td>" + (m.exact ? "exact" : "near") +
          "</td><td>" + m.sim.toFixed(3) + "</td></tr>";
      });
      body.innerHTML = '<table class="members"><thead><tr><th>document</th><th></th><th>reason</th><th>similarity</th></tr></thead><tbody>' + rows.join("") + "</tbody></table>";
    }
    var el = document.createElement("div");
    el.className = "cluster";
    el.setAttribute("data-cluster-id", c.id);
    el.setAttribute("data-members", ids);
    el.innerHTML = html.join("");
    el.appendChild(body);
    function mark() {
      el.setAttribute("data-ins", counts.ins);
      el.setAttribute("data-del", counts.del);
      el.setAttribute("data-masks", counts.masks);
    }
    mark();
    box.innerHTML = "";
    box.appendChild(el);
    box.scrollTop = 0;
    if (push) history.replaceState(null, "", "#cluster=" + c.id);
    Array.prototype.forEach.call(document.querySelectorAll(".cluster-row"), function (li) {
      li.classList.toggle("selected", +li.getAttribute("data-cluster-id") === c.id);
    });
  }

  function showCluster(c, push) {
    var pos = state.list.indexOf(c);
    if (pos < 0) { state.q = ""; $("cluster-search").value = ""; state.filter = "all"; $("cluster-filter").value = "all"; recompute(); pos = state.list.indexOf(c); }
    state.page = Math.floor(Math.max(pos, 0) / PAGE);
    renderList();
    openCluster(c, push);
  }

  // ---- wiring ----
  var timer = null;
  $("cluster-search").addEventListener("input", function (e) {
    clearTimeout(timer);
    timer = setTimeout(function () { state.q = e.target.value; state.page = 0; recompute(); renderList(); }, 150);
  });
  $("cluster-sort").addEventListener("change", function (e) { state.sort = e.target.value; state.page = 0; recompute(); renderList(); });
  $("cluster-filter").addEventListener("change", function (e) { state.filter = e.target.value; state.page = 0; recompute(); renderList(); });
  $("pager").addEventListener("click", function (e) {
    if (e.target.id === "prev") state.page--;
    else if (e.target.id === "next") state.page++;
    else return;
    renderList();
    $("cluster-list").scrollTop = 0;
  });
  function pick(e) {
    var li = e.target.closest(".cluster-row");
    if (li) openCluster(byId[+li.getAttribute("data-cluster-id")], true);
  }
  $("cluster-list").addEventListener("click", pick);
  $("cluster-list").addEventListener("keydown", function (e) { if (e.key === "Enter") pick(e); });
  function fromHash() {
    var m = /cluster=(\d+)/.exec(location.hash);
    var c = m ? byId[+m[1]] : null;
    if (c) showCluster(c, false);
    return !!c;
  }
  window.addEventListener("hashchange", fromHash);

  recompute();
  renderList();
  if (!fromHash() && clusters.length) openCluster(clusters[0], false);
  document.body.setAttribute("data-rendered", "1");
})();
