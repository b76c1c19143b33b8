// The project's Gantt chart (甘特图) on the Plan tab, drawn with Frappe Gantt 1.x.
//
// Frappe draws the timeline, bars with progress, dependency arrows and handles dragging. This file
// adds what it lacks: the task tree with WBS codes and collapsible summaries, critical-path colours,
// milestone diamonds, the baseline overlay, today and status-date lines, and the round trip to the
// API. Dropping a bar PATCHes /api/v1/tasks/{id} with the version the chart was drawn from —
// `start_date` for a move, `duration_days` (working days of the project calendar) for a resize —
// and the server reschedules, so the chart is fetched again and the successors move. A refused
// change redraws the last accepted plan (the bar snaps back) and shows the reason.
(function () {
  "use strict";
  if (window.clientpmGantt) {
    window.clientpmGantt.scan();
    return;
  }

  const SVG = "http://www.w3.org/2000/svg";
  const BAR_HEIGHT = 24;
  const PADDING = 14;
  const MODES = ["Day", "Week", "Month"];

  const pad = (n) => String(n).padStart(2, "0");
  const iso = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  const parse = (s) => {
    const [y, m, d] = s.split("-").map(Number);
    return new Date(y, m - 1, d);
  };
  const utc = (d) => Date.UTC(d.getFullYear(), d.getMonth(), d.getDate());
  const daysBetween = (a, b) => Math.round((utc(b) - utc(a)) / 86400000);
  const escapeHtml = (s) =>
    String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  const csrf = () => JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];

  function svg(tag, attrs, parent) {
    const el = document.createElementNS(SVG, tag);
    Object.entries(attrs).forEach(([k, v]) => el.setAttribute(k, v));
    if (parent) parent.appendChild(el);
    return el;
  }

  // The project calendar: weekmask (Monday first), holidays and extra working days (调休).
  class Calendar {
    constructor(data) {
      this.weekmask = (data && data.weekmask) || "1111100";
      this.holidays = new Set((data && data.holidays) || []);
      this.extra = new Set((data && data.extra_working_days) || []);
    }
    isWorking(d) {
      const key = iso(d);
      if (this.holidays.has(key)) return false;
      if (this.extra.has(key)) return true;
      return this.weekmask[(d.getDay() + 6) % 7] === "1";
    }
    workingDays(first, last) {
      let n = 0;
      for (let d = new Date(first); d <= last; d.setDate(d.getDate() + 1)) if (this.isWorking(d)) n += 1;
      return n;
    }
  }

  class PlanGantt {
    constructor(root) {
      this.root = root;
      this.chart = root.querySelector("[data-gantt-chart]");
      this.tree = root.querySelector("[data-gantt-tree]");
      this.alert = root.querySelector("[data-gantt-alert]");
      this.labels = JSON.parse(document.getElementById(root.dataset.labels).textContent);
      this.editable = root.dataset.editable === "1";
      this.storeKey = `clientpm.gantt.${root.dataset.project}`;
      const saved = JSON.parse(localStorage.getItem(this.storeKey) || "{}");
      this.collapsed = new Set(saved.collapsed || []);
      this.mode = MODES.includes(saved.mode) ? saved.mode : root.dataset.mode || "Week";
      this.baselineSelect = root.querySelector("[data-gantt-baseline]");
      this.pending = null;
      this.bindToolbar();
      // Frappe reports date changes while the bar moves; the change is saved once, on release.
      this.onMouseUp = () => {
        if (!this.root.isConnected) return document.removeEventListener("mouseup", this.onMouseUp);
        if (this.pending) setTimeout(() => this.commit(), 0);
      };
      document.addEventListener("mouseup", this.onMouseUp);
      // Summary bars follow their tasks: no dragging them.
      this.chart.addEventListener(
        "mousedown",
        (e) => {
          if (e.target.closest && e.target.closest(".bar-wrapper.gt-summary")) e.stopPropagation();
        },
        true,
      );
      this.load();
    }

    bindToolbar() {
      this.root.querySelectorAll("[data-gantt-mode]").forEach((button) => {
        button.classList.toggle("active", button.dataset.ganttMode === this.mode);
        button.addEventListener("click", () => {
          this.mode = button.dataset.ganttMode;
          this.root.querySelectorAll("[data-gantt-mode]").forEach((b) => b.classList.toggle("active", b === button));
          this.save();
          this.keepScroll = false;
          this.render();
        });
      });
      const today = this.root.querySelector("[data-gantt-today]");
      if (today) today.addEventListener("click", () => this.scrollTo(this.data && this.data.today));
      const all = (collapse) => () => {
        this.collapsed = new Set(collapse ? this.data.tasks.filter((t) => t.is_summary).map((t) => String(t.id)) : []);
        this.save();
        this.render();
      };
      const collapse = this.root.querySelector("[data-gantt-collapse-all]");
      if (collapse) collapse.addEventListener("click", all(true));
      const expand = this.root.querySelector("[data-gantt-expand-all]");
      if (expand) expand.addEventListener("click", all(false));
      if (this.baselineSelect) this.baselineSelect.addEventListener("change", () => this.load());
    }

    save() {
      localStorage.setItem(this.storeKey, JSON.stringify({ mode: this.mode, collapsed: [...this.collapsed] }));
    }

    async load() {
      this.root.dataset.state = "loading";
      const baseline = this.baselineSelect ? this.baselineSelect.value : "";
      const url = this.root.dataset.url + (baseline ? `?baseline=${encodeURIComponent(baseline)}` : "");
      try {
        const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
        if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
        this.data = await response.json();
      } catch (err) {
        this.showRefusal({ detail: this.labels.load_failed, errors: { __all__: [String(err)] } });
        this.root.dataset.state = "error";
        return;
      }
      this.calendar = new Calendar(this.data.calendar);
      this.byId = new Map(this.data.tasks.map((t) => [String(t.id), t]));
      this.render();
    }

    // Tasks shown: those not under a collapsed summary, in WBS order.
    visibleTasks() {
      const out = [];
      let hideBelow = null;
      for (const t of this.data.tasks) {
        if (hideBelow !== null && t.depth > hideBelow) continue;
        hideBelow = null;
        out.push(t);
        if (t.is_summary && this.collapsed.has(String(t.id))) hideBelow = t.depth;
      }
      return out;
    }

    render() {
      const tasks = this.visibleTasks();
      this.renderTree(tasks);
      // the date at the left edge, so the view stays put when the timeline's first day changes
      let previous = null;
      if (this.gantt && this.keepScroll !== false) {
        previous = new Date(this.gantt.gantt_start);
        previous.setDate(previous.getDate() + Math.round(this.gantt.$container.scrollLeft / this.dayWidth(this.gantt)));
      }
      this.keepScroll = true;
      this.chart.replaceChildren();
      this.gantt = null;
      this.root.querySelector("[data-gantt-empty]").classList.toggle("d-none", tasks.length > 0);
      if (!tasks.length) {
        this.root.dataset.state = "ready";
        return;
      }
      const shown = new Set(tasks.map((t) => String(t.id)));
      const fallback = this.data.status_date || this.data.today;
      const bars = tasks.map((t) => {
        const start = t.start || fallback;
        return {
          id: String(t.id),
          name: escapeHtml(t.name),
          start,
          end: t.end && t.end >= start ? t.end : start,
          progress: t.progress || 0,
          dependencies: (t.dependencies || []).map(String).filter((id) => shown.has(id)),
        };
      });
      const self = this;
      this.gantt = new window.Gantt(this.chart, bars, {
        view_mode: this.mode,
        language: document.documentElement.lang || "en",
        bar_height: BAR_HEIGHT,
        padding: PADDING,
        upper_header_height: 40,
        lower_header_height: 28,
        infinite_padding: false,
        today_button: false,
        view_mode_select: false,
        move_dependencies: false,
        readonly: !this.editable,
        readonly_progress: !this.editable,
        scroll_to: "start",
        // non-working days shaded, except in the month view where a day is a few pixels wide
        holidays: this.mode === "Month" ? {} : { "var(--gt-holiday)": [(d) => !self.calendar.isWorking(d)] },
        popup: (ctx) => self.popup(ctx),
        on_date_change: (task, start, end) => {
          self.pending = { id: task.id, start, end };
        },
        on_progress_change: (task, progress) => self.saveProgress(task.id, progress),
        on_view_change: function () {
          self.decorate(this);
        },
      });
      // where the user was, else the first task's start
      const first = bars.reduce((min, bar) => (bar.start < min ? bar.start : min), bars[0].start);
      const left = previous
        ? this.xOf(this.gantt, previous)
        : Math.max(this.xOf(this.gantt, parse(first)) - this.dayWidth(this.gantt) * 2, 0);
      this.gantt.$container.scrollTo({ left, behavior: "instant" });
      this.root.dataset.state = "ready";
    }

    renderTree(tasks) {
      const rows = tasks.map((t) => {
        const row = document.createElement("div");
        row.className = "gt-row";
        row.dataset.id = t.id;
        row.dataset.testid = "gantt-row";
        row.classList.toggle("gt-summary", !!t.is_summary);
        row.classList.toggle("gt-critical", !!t.is_critical);
        const wbs = document.createElement("span");
        wbs.className = "gt-wbs";
        wbs.textContent = t.wbs;
        const name = document.createElement("span");
        name.className = "gt-name";
        name.style.paddingLeft = `${(t.depth || 0) * 0.9}rem`;
        if (t.is_summary) {
          const open = !this.collapsed.has(String(t.id));
          const toggle = document.createElement("button");
          toggle.type = "button";
          toggle.className = "gt-toggle";
          toggle.setAttribute("aria-expanded", String(open));
          toggle.setAttribute("aria-label", open ? this.labels.collapse : this.labels.expand);
          toggle.innerHTML = `<i class="bi bi-caret-${open ? "down" : "right"}-fill"></i>`;
          toggle.addEventListener("click", () => {
            if (open) this.collapsed.add(String(t.id));
            else this.collapsed.delete(String(t.id));
            this.save();
            this.render();
          });
          name.appendChild(toggle);
        } else if (t.is_milestone) {
          name.insertAdjacentHTML("beforeend", '<i class="bi bi-diamond-fill gt-diamond" aria-hidden="true"></i>');
        }
        // the task page: editable for those who may change the task, read-only for the others
        const label = document.createElement("a");
        label.textContent = t.name;
        label.title = t.name;
        label.href = this.root.dataset.editUrl.replace("{id}", t.id);
        name.appendChild(label);
        row.append(wbs, name);
        return row;
      });
      const header = this.tree.querySelector(".gt-tree-header");
      this.tree.replaceChildren(header, ...rows);
    }

    // Horizontal position of a date, the way Frappe places bars in the current view.
    xOf(g, d) {
      const start = g.gantt_start;
      const { step, column_width: width, unit } = g.config;
      if (unit === "month") {
        let months = (d.getFullYear() - start.getFullYear()) * 12 + d.getMonth() - start.getMonth() + d.getDate() / 31;
        if (d.getDate() < start.getDate()) months -= 1;
        return ((Math.round(months * 100) / 100) / step) * width;
      }
      return (daysBetween(start, d) / step) * width;
    }

    dayWidth(g) {
      return (g.config.unit === "month" ? g.config.column_width / 30 : g.config.column_width) / g.config.step;
    }

    // After each Frappe render: classes per bar, baseline bars, today and status-date lines.
    decorate(g) {
      const crit = new Set();
      for (const bar of g.bars) {
        const t = this.byId.get(bar.task.id);
        const group = bar.group;
        group.classList.toggle("gt-critical", !!t.is_critical);
        group.classList.toggle("gt-summary", !!t.is_summary);
        group.classList.toggle("gt-milestone", !!t.is_milestone);
        group.dataset.start = t.start || "";
        group.dataset.end = t.end || "";
        group.dataset.testid = "gantt-bar";
        if (t.is_critical) crit.add(String(t.id));
      }
      for (const arrow of g.arrows) {
        const from = arrow.element.getAttribute("data-from");
        const to = arrow.element.getAttribute("data-to");
        arrow.element.classList.toggle("gt-critical", crit.has(from) && crit.has(to));
      }
      const layer = svg("g", { class: "gt-overlay" });
      g.$svg.insertBefore(layer, g.layers.arrow);
      const dayWidth = this.dayWidth(g);
      for (const bar of g.bars) {
        const t = this.byId.get(bar.task.id);
        if (!t.baseline_start || !t.baseline_end) continue;
        const first = parse(t.baseline_start);
        const x = this.xOf(g, first);
        const days = Math.max(daysBetween(first, parse(t.baseline_end)) + 1, 1);
        const slipped = t.end && t.end > t.baseline_end;
        const rect = svg(
          "rect",
          {
            x,
            y: bar.y + BAR_HEIGHT + 2,
            width: Math.max(days * dayWidth, 3),
            height: 4,
            rx: 1,
            class: `gt-baseline${slipped ? " gt-slipped" : ""}`,
            "data-id": t.id,
          },
          layer,
        );
        svg("title", {}, rect).textContent = `${this.labels.baseline}: ${t.baseline_start} – ${t.baseline_end}`;
      }
      const top = g.config.header_height;
      const line = (day, cls, title, offset) => {
        if (!day) return;
        const x = this.xOf(g, parse(day)) + offset * dayWidth;
        const el = svg("line", { x1: x, x2: x, y1: top, y2: g.grid_height, class: cls }, layer);
        svg("title", {}, el).textContent = `${title}: ${day}`;
      };
      line(this.data.today, "gt-today", this.labels.today, 0.5);
      line(this.data.status_date, "gt-status-date", this.labels.status_date, 1);
      // the overlay sits under the bars; lines must stay visible above the bar layer too
      g.$svg.appendChild(svg("g", { class: "gt-lines" })).append(...layer.querySelectorAll("line"));
    }

    scrollTo(day) {
      if (!this.gantt || !day) return;
      const x = this.xOf(this.gantt, parse(day));
      this.gantt.$container.scrollTo({ left: Math.max(x - this.gantt.$container.clientWidth / 3, 0), behavior: "smooth" });
    }

    popup(ctx) {
      const t = this.byId.get(ctx.task.id);
      const L = this.labels;
      ctx.set_title(escapeHtml(`${t.wbs} ${t.name}`));
      const flags = [];
      if (t.is_summary) flags.push(L.summary);
      if (t.is_milestone) flags.push(L.milestone);
      if (t.is_critical) flags.push(`<strong class="text-danger">${escapeHtml(L.critical)}</strong>`);
      ctx.set_subtitle(flags.join(" · "));
      const duration =
        t.is_milestone || !t.start || !t.end ? 0 : this.calendar.workingDays(parse(t.start), parse(t.end));
      const lines = [
        `${escapeHtml(L.start)}: ${escapeHtml(t.start || "—")} · ${escapeHtml(L.finish)}: ${escapeHtml(t.end || "—")}`,
        `${escapeHtml(L.duration)}: ${duration} · ${escapeHtml(L.progress)}: ${Math.round(t.progress || 0)}%`,
      ];
      if (t.total_float !== null && t.total_float !== undefined) lines.push(`${escapeHtml(L.total_float)}: ${t.total_float}`);
      if (t.baseline_start) {
        lines.push(`${escapeHtml(L.baseline)}: ${escapeHtml(t.baseline_start)} – ${escapeHtml(t.baseline_end || "")}`);
      }
      ctx.set_details(lines.join("<br>"));
      ctx.add_action(escapeHtml(this.editable ? L.edit : L.details), () => {
        window.location.href = this.root.dataset.editUrl.replace("{id}", t.id);
      });
    }

    commit() {
      const change = this.pending;
      this.pending = null;
      if (!change) return;
      const t = this.byId.get(change.id);
      if (!t || t.is_summary) return this.render();
      const start = iso(change.start);
      const finish = iso(change.end);
      const body = { version: t.version };
      const oldStart = t.start || start;
      const oldEnd = t.end || oldStart;
      if (t.is_milestone || daysBetween(parse(start), parse(finish)) === daysBetween(parse(oldStart), parse(oldEnd))) {
        if (start === oldStart) return this.render();
        body.start_date = start;
      } else {
        if (start !== oldStart) body.start_date = start;
        body.duration_days = this.calendar.workingDays(parse(start), parse(finish));
        // stretched onto non-working days only: nothing changes, the bar snaps back
        if (!body.start_date && body.duration_days === this.calendar.workingDays(parse(oldStart), parse(oldEnd))) {
          return this.render();
        }
      }
      return this.patch(t, body);
    }

    saveProgress(id, progress) {
      const t = this.byId.get(String(id));
      if (!t || t.is_summary) return this.render();
      return this.patch(t, { percent_complete: Math.max(0, Math.min(100, Math.round(progress))), version: t.version });
    }

    async patch(t, body) {
      this.root.dataset.state = "saving";
      this.hideRefusal();
      try {
        const response = await fetch(this.root.dataset.taskUrl.replace("{id}", t.id), {
          method: "PATCH",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf() },
          body: JSON.stringify(body),
        });
        if (!response.ok) {
          const answer = await response.json().catch(() => ({ detail: response.statusText }));
          this.showRefusal(answer, t);
          this.render(); // snap back to the last accepted plan
          return;
        }
      } catch (err) {
        this.showRefusal({ detail: String(err) }, t);
        this.render();
        return;
      }
      await this.load(); // the server rescheduled: successors have moved
      this.root.dispatchEvent(new CustomEvent("plan:changed", { bubbles: true }));
    }

    showRefusal(answer, task) {
      const title = this.alert.querySelector("[data-gantt-alert-title]");
      title.textContent = task ? `${this.labels.refused} ${task.wbs} ${task.name}` : answer.detail || "";
      const reasons = [];
      if (task && answer.detail) reasons.push(answer.detail);
      Object.values(answer.errors || {}).forEach((messages) => reasons.push(...[].concat(messages)));
      const list = this.alert.querySelector("[data-gantt-alert-reasons]");
      list.replaceChildren(
        ...[...new Set(reasons)].map((reason) => {
          const li = document.createElement("li");
          li.textContent = reason;
          return li;
        }),
      );
      this.alert.classList.remove("d-none");
    }

    hideRefusal() {
      this.alert.classList.add("d-none");
    }
  }

  function start(root) {
    if (root.dataset.ganttReady) return;
    root.dataset.ganttReady = "1";
    const run = () => new PlanGantt(root);
    if (window.Gantt) return run();
    // Frappe Gantt is loaded on demand, once, the first time a chart appears.
    let lib = document.querySelector("script[data-frappe-gantt]");
    if (!lib) {
      lib = document.createElement("script");
      lib.src = root.dataset.lib;
      lib.dataset.frappeGantt = "";
      document.head.appendChild(lib);
    }
    lib.addEventListener("load", run, { once: true });
  }

  function scan() {
    document.querySelectorAll("[data-gantt]").forEach(start);
  }

  window.clientpmGantt = { scan };
  document.addEventListener("htmx:afterSettle", scan);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", scan);
  else scan();
})();
