"""State kept between runs: see base.State for the interface."""

from newscrawl.state.base import Exported, State, article_key

__all__ = ["Exported", "State", "article_key"]
