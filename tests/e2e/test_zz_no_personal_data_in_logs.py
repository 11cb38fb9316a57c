"""The services' logs name people by id only: after the whole e2e run (file order puts this last), no
seeded name, phone number, e-mail address or talk content appears in any service's log (issue 14). Operators read
logs; a discipline case or a conversation must not reach them that way."""

from devstack.demo import PEOPLE, demo_phone

# Text the e2e tests put in talk records (content, problems, suggestions, follow-ups, reasons).
CONTENT = ["保密内容", "谈话内容", "这段谈话内容只在谈话服务中", "就受到警告处分一事", "集体谈心，交流学习体会", "补充谈话要点", "应约谈话"]


def test_no_name_address_or_content_in_any_log(system):
    seeded = [name for _, name, _ in PEOPLE] + [demo_phone(n) for n in range(len(PEOPLE))] + ["@example.org"] + CONTENT
    found = []
    for name, service in system.services.items():
        text = service.log_path.read_text(encoding="utf-8", errors="replace") if service.log_path.exists() else ""
        assert text, f"{name} wrote no log: the check would prove nothing"
        found += [f"{name}: {word}" for word in seeded if word in text]
    assert found == []
