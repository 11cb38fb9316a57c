// Picking people by name in the record forms (issue 18): a secretary types part of a name and picks
// from the people they answer for; nobody types an id. The form still sends ids: the picker keeps
// them, comma-separated, in its hidden field, which is what the form reads.
import { el, t } from "/common/common.js";

const SHOWN = 8; // matches listed at most: another character narrows them

// `box` holds the hidden field; `people()` is the directory of the moment (id -> {person_id, name}).
export function picker(box, people) {
  const field = box.querySelector('input[type="hidden"]');
  const chips = el("span", { class: "chips" });
  const search = el("input", {
    type: "text", role: "combobox", autocomplete: "off", "aria-autocomplete": "list", "aria-expanded": "false",
    "aria-labelledby": box.dataset.labelledby, placeholder: t("f.pick_hint"),
  });
  const list = el("div", { class: "matches", role: "listbox", hidden: true });
  box.append(chips, search, list);

  const chosen = () => (field.value ? field.value.split(",") : []);
  const nameOf = (id) => people().get(id)?.name ?? id;

  function set(ids) {
    field.value = [...new Set(ids)].join(",");
    chips.replaceChildren(...chosen().map((id) => el("span", { class: "chip", dataset: { person: id } },
      el("span", { class: "name" }, nameOf(id)),
      el("button", { type: "button", "aria-label": t("f.remove_person", { name: nameOf(id) }), onclick: () => set(chosen().filter((x) => x !== id)) }, "×"))));
  }

  function matches() {
    const typed = search.value.trim();
    const taken = new Set(chosen());
    return [...people().values()].filter((p) => !taken.has(p.person_id) && (p.name ?? "").includes(typed)).slice(0, SHOWN);
  }

  function pick(person) {
    set([...chosen(), person.person_id]);
    search.value = "";
    show();
  }

  // The matches under the field while something is typed; each names the person, the id beside it
  // tells two of one name apart.
  function show() {
    const typed = Boolean(search.value.trim());
    const found = typed ? matches() : [];
    list.replaceChildren(...found.map((p) => el("button", { type: "button", role: "option", onclick: () => pick(p) },
      el("span", { class: "name" }, p.name ?? p.person_id), el("span", { class: "muted" }, ` ${p.person_id}`))));
    if (typed && !found.length) list.append(el("p", { class: "muted" }, t("f.no_match")));
    list.hidden = !typed;
    search.setAttribute("aria-expanded", String(typed));
    return found;
  }

  search.addEventListener("input", show);
  search.addEventListener("keydown", (event) => {
    if (event.key === "Enter") { // the first match, not the form's submit
      event.preventDefault();
      const [first] = show();
      if (first) pick(first);
    } else if (event.key === "Escape") {
      search.value = "";
      show();
    }
  });
  // A press on a match keeps the focus in the field, so the list is still there when the click lands.
  list.addEventListener("mousedown", (event) => event.preventDefault());
  search.addEventListener("blur", () => { list.hidden = true; search.setAttribute("aria-expanded", "false"); });
  search.addEventListener("focus", show);

  return { set, ids: chosen, refresh: () => set(chosen()) };
}
