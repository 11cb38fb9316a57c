"""What the talks use cases share: their event source, and the refusal that becomes a 422."""

from talk_contracts import Source

SOURCE = Source.TALKS


class NotAllowed(ValueError):
    """A record or request the talks service refuses, with where the problem is (for a 422)."""

    def __init__(self, loc: str, message: str):
        self.loc = loc
        super().__init__(message)
