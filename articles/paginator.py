"""The one paginator of the public pages, listings, sitemaps and search: told its total, cheap at any depth.

Listings know how many items they have from the reader statistics, so the paginator never
runs COUNT(*) (`CountedPaginator(..., count=n)`). Knowing the total also makes a deep page
cheap: `?page=last` or `?page=4000` of a listing ordered by an index would walk the index
from its start past every item before the page; `FromEitherEnd` reads a page in the back
half of the listing from the other end instead (the order reversed, the offset counted from
the end) and turns the rows round, so no page walks more than half the listing.
Article listings page through their stored cards (cards.CardList), read the same way.
"""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

from .cards import CardList


class CountedPaginator(Paginator):
    """A paginator told its total (from the reader statistics or a search's count) instead of counting.

    A QuerySet ordered by an index, or a listing's cards, is read from whichever end is nearer
    (`FromEitherEnd`).
    """

    def __init__(self, object_list, per_page, *, count, **kwargs):
        if hasattr(object_list, "query") or isinstance(object_list, CardList):
            object_list = FromEitherEnd(object_list, count)
        super().__init__(object_list, per_page, **kwargs)
        self._known_count = count

    @cached_property
    def count(self):
        return self._known_count


class FromEitherEnd:
    """A slice of an ordered QuerySet (or CardList) of `count` items, read from the nearer end.

    The QuerySet must have a total order (a unique last ordering field, as the listings'
    "-published_at", "-id"), so that reversed it lists the same items backwards.
    """

    def __init__(self, listing, count):
        self.listing = listing
        self.count = count

    def __len__(self):
        return self.count

    def __getitem__(self, item):
        if not isinstance(item, slice) or item.step is not None:
            return self.listing[item]
        start, stop = item.start or 0, self.count if item.stop is None else min(item.stop, self.count)
        if start <= self.count - stop:  # the front half: as ordered
            return self.listing[item]
        rows = list(self.listing.reverse()[max(0, self.count - stop) : self.count - start])
        rows.reverse()
        return rows
