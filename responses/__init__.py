"""Policy knowledge base, default Jinja2 templates and the renderer.

Pure: imports nothing from bot/, handoff/ or intents/. Typical wiring in the composition root::

    policies = load_policies()
    renderer = Renderer(env=make_environment(), policies=policies, source=store_backed_source)
    reply = renderer.render("disclosure_info", "en", {"article": 7, ...})
"""
from __future__ import annotations

from responses.policy import Article, Item, Paragraph, Policy, PolicyError, load_policies, load_policy
from responses.renderer import JA_NOTICE, Rendered, Renderer, TemplateLoadError, TemplateSource, make_environment

__all__ = [
    "JA_NOTICE",
    "Article",
    "Item",
    "Paragraph",
    "Policy",
    "PolicyError",
    "Rendered",
    "Renderer",
    "TemplateLoadError",
    "TemplateSource",
    "load_policies",
    "load_policy",
    "make_environment",
]
