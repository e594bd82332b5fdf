from tests.http.review.workspace import world

__all__ = ["world"]
