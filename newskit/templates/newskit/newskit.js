// newskit's one script: sortable, searchable, filterable tables that download as CSV.
// Every report page inlines it once, allowed by its hash in the page's Content-Security-Policy,
// which allows no other script. Cell text is only ever read and written as text (textContent,
// value, setAttribute of plain attributes), never parsed as HTML. Without it, tables are plain
// and complete.
(function () {
  "use strict";

  var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
  var HELP = "Filter: text (contains), =text (exactly), >=n, <n, a..b (a range; dates as " +
    "2024-03 or 2024-03-01..2024-03-07)";

  function el(tag, props, text) {
    var node = document.createElement(tag);
    Object.keys(props || {}).forEach(function (key) { node.setAttribute(key, props[key]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function readCell(td) {
    var text = td.textContent;
    var items = Array.prototype.map.call(
      td.querySelectorAll("span.newskit-item"), function (s) { return s.textContent; });
    var v = td.hasAttribute("data-v") ? td.getAttribute("data-v") : text;
    return { text: text, v: v, lower: text.toLowerCase(), items: items };
  }

  // One filter box's text -> a test of a cell, or null when it is empty.
  function parseFilter(expr, numeric) {
    expr = expr.trim();
    if (!expr) return null;
    var m;
    if (expr.charAt(0) === "=") {
      // Equal to the text shown, to the whole value behind a cut one, or to an item of a list.
      var want = expr.slice(1).trim().toLowerCase();
      return function (c) {
        return c.lower.trim() === want || c.v.toLowerCase() === want ||
          c.items.some(function (i) { return i.toLowerCase() === want; });
      };
    }
    if ((m = /^(.*?)\.\.(.*)$/.exec(expr))) {
      var low = m[1].trim(), high = m[2].trim();
      return function (c) {
        return (!low || compare(c, ">=", low, numeric)) && (!high || compare(c, "<=", high, numeric));
      };
    }
    if ((m = /^(>=|<=|>|<)\s*(.+)$/.exec(expr))) {
      var op = m[1], bound = m[2].trim();
      return function (c) { return compare(c, op, bound, numeric); };
    }
    var part = expr.toLowerCase();
    return function (c) { return c.lower.indexOf(part) >= 0; };
  }

  // Numbers compare as numbers; anything else (ISO dates included) as text, the bound also
  // read as a prefix: <=2024-03 keeps every day of March.
  function compare(c, op, bound, numeric) {
    if (c.text === "") return false;
    var a, b = bound;
    if (numeric && !isNaN(parseFloat(bound))) {
      a = parseFloat(c.v); b = parseFloat(bound);
      if (isNaN(a)) return false;
    } else {
      a = c.v;
      var prefix = a.slice(0, b.length) === b;
      if (op === "<=") return a <= b || prefix;
      if (op === ">") return a > b && !prefix;
    }
    if (op === ">=") return a >= b;
    if (op === "<=") return a <= b;
    if (op === ">") return a > b;
    return a < b;
  }

  function csvField(value, numeric) {
    // A text cell that a spreadsheet would read as a formula gets a leading apostrophe.
    if (!numeric && /^[=+\-@\t\r]/.test(value)) value = "'" + value;
    return /[",\r\n]/.test(value) ? '"' + value.replace(/"/g, '""') + '"' : value;
  }

  function Table(box) {
    var self = this;
    var table = box.querySelector("table.newskit-table");
    var head = table.tHead.rows[0];
    this.box = box;
    this.body = table.tBodies[0];
    this.names = Array.prototype.map.call(head.cells, function (th) { return th.textContent; });
    this.numeric = Array.prototype.map.call(head.cells, function (th) {
      return th.classList.contains("num");
    });
    this.rows = Array.prototype.map.call(this.body.rows, function (tr, i) {
      return { tr: tr, order: i, cells: Array.prototype.map.call(tr.cells, readCell) };
    });
    this.rows.forEach(function (row) {
      row.lower = row.cells.map(function (c) { return c.lower; }).join("\u0000");
    });
    this.search = "";
    this.filters = this.names.map(function () { return null; });
    this.inputs = [];
    this.sortColumn = -1;
    this.sortDirection = 0;

    var tools = el("div", { "class": "newskit-tools" });
    var search = el("input", { type: "search", placeholder: "Search", "aria-label": "Search the table" });
    search.addEventListener("input", function () { self.search = search.value.trim().toLowerCase(); self.apply(); });
    var download = el("button", { type: "button" }, "Download CSV");
    download.addEventListener("click", function () { self.download(); });
    this.status = el("span", { "class": "newskit-status", "aria-live": "polite" });
    tools.append(search, download, this.status);
    box.insertBefore(tools, box.querySelector("div.newskit-scroll"));
    // The status says how many rows there are; a note that rows were left out stays.
    var count = box.querySelector("p.newskit-count");
    if (count && !count.hasAttribute("data-cut")) count.hidden = true;

    Array.prototype.forEach.call(head.cells, function (th, i) {
      var button = el("button", { type: "button", "class": "newskit-sort", title: "Sort" });
      button.append.apply(button, Array.prototype.slice.call(th.childNodes));
      th.append(button);
      th.setAttribute("aria-sort", "none");
      button.addEventListener("click", function () { self.sortBy(i); });
    });

    var filterRow = el("tr", { "class": "newskit-filters" });
    this.names.forEach(function (name, i) {
      var th = el("th");
      var input = el("input", {
        type: "text", placeholder: "filter", title: HELP, "aria-label": "Filter " + name
      });
      var values = self.distinct(i);
      if (values) {
        var list = el("datalist", { id: "newskit-" + Table.count + "-" + i });
        values.forEach(function (v) { list.append(el("option", { value: "=" + v })); });
        th.append(list);
        input.setAttribute("list", list.id);
      }
      input.addEventListener("input", function () {
        self.filters[i] = parseFilter(input.value, self.numeric[i]);
        self.apply();
      });
      self.inputs.push(input);
      th.append(input);
      filterRow.append(th);
    });
    table.tHead.append(filterRow);
    Table.count += 1;
    this.apply();
  }
  Table.count = 0;

  // The values of a column worth offering in its filter box: few, and repeated.
  Table.prototype.distinct = function (i) {
    if (this.numeric[i]) return null;
    var seen = new Set();
    this.rows.forEach(function (row) {
      var c = row.cells[i];
      (c.items.length ? c.items : [c.text]).forEach(function (v) { if (v) seen.add(v); });
    });
    if (seen.size < 2 || seen.size > 40 || seen.size >= this.rows.length) return null;
    return Array.from(seen).sort(collator.compare);
  };

  Table.prototype.sortBy = function (i) {
    this.sortDirection = this.sortColumn === i ? (this.sortDirection + 2) % 3 - 1 : 1;
    if (this.sortDirection === 0) this.sortColumn = -1; else this.sortColumn = i;
    var self = this;
    Array.prototype.forEach.call(this.body.parentNode.tHead.rows[0].cells, function (th, j) {
      var state = j !== self.sortColumn ? "none" : self.sortDirection > 0 ? "ascending" : "descending";
      th.setAttribute("aria-sort", state);
    });
    this.apply();
  };

  Table.prototype.visible = function () {
    var self = this;
    var shown = this.rows.filter(function (row) {
      if (self.search && row.lower.indexOf(self.search) < 0) return false;
      return self.filters.every(function (test, i) { return !test || test(row.cells[i]); });
    });
    var i = this.sortColumn, direction = this.sortDirection;
    if (i < 0) return shown;
    var numeric = this.numeric[i];
    return shown.sort(function (a, b) {
      var x = a.cells[i], y = b.cells[i];
      // Empty cells go last whichever way the column is sorted.
      if ((x.text === "") !== (y.text === "")) return x.text === "" ? 1 : -1;
      var order = numeric ? parseFloat(x.v) - parseFloat(y.v) : collator.compare(x.v, y.v);
      return (order || a.order - b.order) * direction;
    });
  };

  Table.prototype.apply = function () {
    var shown = this.visible();
    this.body.replaceChildren.apply(this.body, shown.map(function (row) { return row.tr; }));
    var total = this.rows.length;
    this.status.textContent = shown.length === total ?
      total.toLocaleString("en") + (total === 1 ? " row" : " rows") :
      "Showing " + shown.length.toLocaleString("en") + " of " + total.toLocaleString("en") + " rows";
  };

  Table.prototype.csv = function () {
    var numeric = this.numeric;
    var lines = [this.names.map(function (n) { return csvField(n, false); }).join(",")];
    this.visible().forEach(function (row) {
      lines.push(row.cells.map(function (c, i) { return csvField(c.v, numeric[i]); }).join(","));
    });
    return lines.join("\r\n") + "\r\n";
  };

  Table.prototype.download = function () {
    var blob = new Blob(["\ufeff" + this.csv()], { type: "text/csv;charset=utf-8" });
    var link = el("a", { download: (this.box.getAttribute("data-name") || "table") + ".csv" });
    link.href = URL.createObjectURL(blob);
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
  };

  // "#filter:provider=%3Da.example&published=2024-03" filters the first table that has
  // every column named, as links from other reports into the article browser do.
  Table.prototype.setFilters = function (wanted) {
    var self = this;
    this.inputs.forEach(function (input, i) {
      var name = self.names[i];
      input.value = Object.prototype.hasOwnProperty.call(wanted, name) ? wanted[name] : "";
      self.filters[i] = parseFilter(input.value, self.numeric[i]);
    });
    this.apply();
  };

  function fromHash(tables) {
    var hash = location.hash;
    if (hash.indexOf("#filter:") !== 0) return;
    var wanted = {};
    hash.slice(8).split("&").forEach(function (pair) {
      var at = pair.indexOf("=");
      if (at <= 0) return;
      try {
        wanted[decodeURIComponent(pair.slice(0, at))] = decodeURIComponent(pair.slice(at + 1));
      } catch (e) { /* a broken escape filters nothing */ }
    });
    var names = Object.keys(wanted);
    var target = tables.filter(function (t) {
      return names.length && names.every(function (n) { return t.names.indexOf(n) >= 0; });
    })[0];
    if (target) {
      target.setFilters(wanted);
      target.box.scrollIntoView();
    }
  }

  var tables = Array.prototype.map.call(
    document.querySelectorAll("div.newskit-table-box"), function (box) { return new Table(box); });
  fromHash(tables);
  window.addEventListener("hashchange", function () { fromHash(tables); });
})();
