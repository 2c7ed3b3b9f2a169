"""State kept between runs: see base.State for the interface."""

from newscrawl.state.base import Known, State, article_key

__all__ = ["Known", "State", "article_key"]
