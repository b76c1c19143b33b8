// The project kanban board: dragging a card to another phase posts the move, which passes the same
// stage gate as the project page. A refused move puts the card back and lists every unmet reason.
(function () {
  "use strict";
  const csrf = JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
  const alertBox = document.getElementById("board-alert");

  function showRefusal(body) {
    alertBox.querySelector(".board-detail").textContent = body.detail || "";
    const list = alertBox.querySelector(".board-reasons");
    list.replaceChildren(...(body.reasons || []).map((reason) => {
      const li = document.createElement("li");
      li.textContent = reason;
      return li;
    }));
    alertBox.classList.remove("d-none");
  }

  function putBack(evt) {
    const ref = evt.from.children[evt.oldIndex] || null;
    evt.from.insertBefore(evt.item, ref);
  }

  async function move(evt) {
    if (evt.from === evt.to) return;
    const card = evt.item;
    const data = new FormData();
    data.append("to_phase", evt.to.dataset.phase);
    data.append("version", card.dataset.version);
    alertBox.classList.add("d-none");
    try {
      const response = await fetch(card.dataset.moveUrl, {
        method: "POST", body: data, headers: { "X-CSRFToken": csrf }, credentials: "same-origin",
      });
      const body = await response.json();
      if (response.ok && body.ok) {
        card.dataset.version = body.version;
        return;
      }
      putBack(evt);
      showRefusal(body);
    } catch (err) {
      putBack(evt);
      showRefusal({ detail: String(err), reasons: [] });
    }
  }

  document.querySelectorAll(".board-cards").forEach((column) => {
    new Sortable(column, { group: "phases", animation: 150, draggable: ".board-card", onEnd: move });
  });
})();
