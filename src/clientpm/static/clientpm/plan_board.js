// The Plan tab's task board: one column per status. Dropping a card in another column PATCHes
// /api/v1/tasks/{id} with the new status and the card's version; a refused move puts the card back
// and shows the reason.
(function () {
  "use strict";
  if (window.clientpmTaskBoard) {
    window.clientpmTaskBoard.scan();
    return;
  }
  const csrf = () => JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];

  function setup(board) {
    const alertBox = board.parentElement.querySelector("[data-board-alert]");
    const labels = JSON.parse(document.getElementById("board-labels").textContent);

    function counts() {
      board.querySelectorAll(".task-board-cards").forEach((column) => {
        column.closest(".card").querySelector("[data-board-count]").textContent = column.children.length;
      });
    }

    function refuse(card, answer) {
      alertBox.querySelector("[data-board-alert-title]").textContent = `${labels.refused} ${card.querySelector(".fw-semibold").textContent}`;
      const reasons = [answer.detail, ...Object.values(answer.errors || {}).flat()].filter(Boolean);
      alertBox.querySelector("[data-board-alert-reasons]").replaceChildren(
        ...[...new Set(reasons)].map((reason) => {
          const li = document.createElement("li");
          li.textContent = reason;
          return li;
        }),
      );
      alertBox.classList.remove("d-none");
    }

    async function move(evt) {
      if (evt.from === evt.to) return;
      const card = evt.item;
      const putBack = () => {
        evt.from.insertBefore(card, evt.from.children[evt.oldIndex] || null);
        counts();
      };
      alertBox.classList.add("d-none");
      counts();
      board.dataset.state = "saving";
      try {
        const response = await fetch(board.dataset.taskUrl.replace("{id}", card.dataset.task), {
          method: "PATCH",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf() },
          body: JSON.stringify({ status: evt.to.dataset.status, version: Number(card.dataset.version) }),
        });
        const answer = await response.json().catch(() => ({ detail: response.statusText }));
        if (response.ok) {
          // the status drives the progress (done = 100 %, not started = 0 %): show what was saved
          card.dataset.version = answer.version;
          const progress = card.querySelector("[data-card-progress]");
          if (progress && answer.percent_complete !== undefined) progress.textContent = `${answer.percent_complete}%`;
        } else {
          putBack();
          refuse(card, answer);
        }
      } catch (err) {
        putBack();
        refuse(card, { detail: String(err) });
      }
      board.dataset.state = "ready";
    }

    board.querySelectorAll(".task-board-cards").forEach((column) => {
      new window.Sortable(column, { group: "tasks", animation: 150, draggable: ".task-card", onEnd: move });
    });
    board.dataset.state = "ready";
  }

  function start(board) {
    if (board.dataset.boardReady) return;
    board.dataset.boardReady = "1";
    if (!board.dataset.editable) return;
    if (window.Sortable) return setup(board);
    let lib = document.querySelector("script[data-sortable]");
    if (!lib) {
      lib = document.createElement("script");
      lib.src = board.dataset.lib;
      lib.dataset.sortable = "";
      document.head.appendChild(lib);
    }
    lib.addEventListener("load", () => setup(board), { once: true });
  }

  function scan() {
    document.querySelectorAll("[data-task-board]").forEach(start);
  }

  window.clientpmTaskBoard = { scan };
  document.addEventListener("htmx:afterSettle", scan);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", scan);
  else scan();
})();
