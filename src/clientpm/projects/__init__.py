"""Projects (项目): customer engagements run through a governed lifecycle with stage gates."""
