// Sortable tables: every column header of a table[data-sortable] gets a button that sorts the
// body rows by that column (numbers as numbers, then text), and aria-sort says which way.
// Cells may give a data-sort value when their text is not the value to sort by; a cell
// holding a <time datetime> sorts by that timestamp.
(function () {
  "use strict";
  var NUMBER = /^[-−]?\d+(?:[.,]\d+)?\s*%?/;

  function key(cell) {
    if (!cell) { return { num: null, text: "" }; }
    var time = cell.querySelector("time[datetime]");  // dates sort by their ISO value
    if (time) { return { num: null, text: time.getAttribute("datetime") }; }
    var raw = (cell.getAttribute("data-sort") || cell.textContent || "").trim();
    var match = raw.match(NUMBER);
    var num = match ? parseFloat(match[0].replace("−", "-").replace(",", ".")) : null;
    return { num: num, text: raw.toLowerCase() };
  }

  function compare(a, b) {
    // Rows with a number come before rows without one (such as "No attempt" or "–").
    if (a.num !== null && b.num !== null) { return a.num - b.num; }
    if (a.num !== null) { return -1; }
    if (b.num !== null) { return 1; }
    return a.text.localeCompare(b.text);
  }

  function sortBy(table, index, button) {
    var th = button.closest("th");
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    table.querySelectorAll("thead th[aria-sort]").forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (r1, r2) {
      var order = compare(key(r1.cells[index]), key(r2.cells[index]));
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    var status = table.parentNode.querySelector(".sort-status");
    if (status) {
      status.textContent = "Sorted by " + button.getAttribute("data-label") +
        (ascending ? ", ascending." : ", descending.");
    }
  }

  function enhance(table) {
    var heads = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(heads, function (th, index) {
      var label = th.textContent.replace(/\s+/g, " ").trim();
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort-button";
      button.setAttribute("data-label", label);
      if (th.querySelector("a, button")) {
        // A header that holds a link keeps it; the sort button sits beside it.
        button.innerHTML = '<span aria-hidden="true">⇅</span><span class="visually-hidden"></span>';
        button.lastChild.textContent = "Sort by " + label;
        th.appendChild(document.createTextNode(" "));
        th.appendChild(button);
      } else {
        while (th.firstChild) { button.appendChild(th.firstChild); }
        var icon = document.createElement("span");
        icon.setAttribute("aria-hidden", "true");
        icon.className = "sort-icon";
        icon.textContent = " ⇅";
        button.appendChild(icon);
        th.appendChild(button);
      }
      button.addEventListener("click", function () { sortBy(table, index, button); });
    });
    var status = document.createElement("p");
    status.className = "sort-status visually-hidden";
    status.setAttribute("role", "status");
    table.parentNode.insertBefore(status, table);
  }

  document.querySelectorAll("table[data-sortable]").forEach(enhance);
})();
