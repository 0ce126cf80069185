"""Front ends (web, Slack, CLI), the conversation engine and configuration."""
