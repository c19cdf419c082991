# git does not hold symlinks reliably everywhere: link content/articles/leak.md to ../../secret.md here.
(root / "content/articles").mkdir(parents=True, exist_ok=True)
(root / "content/articles/leak.md").symlink_to("../../secret.md")
