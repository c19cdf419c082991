# Case-only file names cannot live in git on macOS or Windows: make them here.
(root / "content/articles/Pact.md").write_text("---\ntitle: Pact\ndate: 2021-11-24\n---\nBody.\n", encoding="utf-8")
(root / "content/articles/pact.md").write_text("---\ntitle: Pact again\ndate: 2021-11-24\n---\nBody.\n", encoding="utf-8")
