"""clientpm: project-based customer management (项目制客户管理)."""

__version__ = "0.1.0"
