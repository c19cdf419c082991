# Names that differ only by Unicode normalisation (caf\u00e9 / cafe\u0301) do not survive every file system or checkout.
(root / "content/articles/caf\u00e9.md").write_text("---\ntitle: Caf\u00e9\ndate: 2021-11-24\n---\nBody.\n", encoding="utf-8")
(root / "content/articles/cafe\u0301.md").write_text("---\ntitle: Cafe\u0301 again\ndate: 2021-11-24\n---\nBody.\n", encoding="utf-8")
