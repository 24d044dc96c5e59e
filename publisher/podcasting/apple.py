"""Apple Podcasts' rules that the feed follows: the category list and enclosure types.

The category list is Apple's (Podcasts Connect, "Apple Podcasts categories"): 19
categories, 15 of them with subcategories, 110 names in all. A show's ``category`` must
be one of the top-level names and its ``subcategory`` (optional) one of that category's
subcategories, spelled exactly as here (the feed writes them as given, and Apple matches
them literally).
"""

from __future__ import annotations

from publisher.exceptions import ValidationError

APPLE_CATEGORIES: dict[str, tuple[str, ...]] = {
    "Arts": (
        "Books",
        "Design",
        "Fashion & Beauty",
        "Food",
        "Performing Arts",
        "Visual Arts",
    ),
    "Business": (
        "Careers",
        "Entrepreneurship",
        "Investing",
        "Management",
        "Marketing",
        "Non-Profit",
    ),
    "Comedy": ("Comedy Interviews", "Improv", "Stand-Up"),
    "Education": ("Courses", "How To", "Language Learning", "Self-Improvement"),
    "Fiction": ("Comedy Fiction", "Drama", "Science Fiction"),
    "Government": (),
    "History": (),
    "Health & Fitness": (
        "Alternative Health",
        "Fitness",
        "Medicine",
        "Mental Health",
        "Nutrition",
        "Sexuality",
    ),
    "Kids & Family": ("Education for Kids", "Parenting", "Pets & Animals", "Stories for Kids"),
    "Leisure": (
        "Animation & Manga",
        "Automotive",
        "Aviation",
        "Crafts",
        "Games",
        "Hobbies",
        "Home & Garden",
        "Video Games",
    ),
    "Music": ("Music Commentary", "Music History", "Music Interviews"),
    "News": (
        "Business News",
        "Daily News",
        "Entertainment News",
        "News Commentary",
        "Politics",
        "Sports News",
        "Tech News",
    ),
    "Religion & Spirituality": (
        "Buddhism",
        "Christianity",
        "Hinduism",
        "Islam",
        "Judaism",
        "Religion",
        "Spirituality",
    ),
    "Science": (
        "Astronomy",
        "Chemistry",
        "Earth Sciences",
        "Life Sciences",
        "Mathematics",
        "Natural Sciences",
        "Nature",
        "Physics",
        "Social Sciences",
    ),
    "Society & Culture": (
        "Documentary",
        "Personal Journals",
        "Philosophy",
        "Places & Travel",
        "Relationships",
    ),
    "Sports": (
        "Baseball",
        "Basketball",
        "Cricket",
        "Fantasy Sports",
        "Football",
        "Golf",
        "Hockey",
        "Rugby",
        "Running",
        "Soccer",
        "Swimming",
        "Tennis",
        "Volleyball",
        "Wilderness",
        "Wrestling",
    ),
    "Technology": (),
    "True Crime": (),
    "TV & Film": ("After Shows", "Film History", "Film Interviews", "Film Reviews", "TV Reviews"),
}

# What the feed writes when a show has no (valid) category: Apple requires one.
DEFAULT_CATEGORY = "Society & Culture"

# Apple Podcasts' accepted enclosure types (Podcasts Connect, "Podcast RSS feed requirements").
APPLE_ENCLOSURE_TYPES = frozenset(
    {"audio/x-m4a", "audio/mpeg", "video/quicktime", "video/mp4", "video/x-m4v", "application/pdf"}
)
# Stored (registered) types written under the name Apple lists for the same format.
ENCLOSURE_TYPE_ALIASES = {"audio/mp4": "audio/x-m4a", "audio/mp3": "audio/mpeg"}


def enclosure_type(mime_type: str | None) -> str:
    """The type written in ``<enclosure type=…>`` for a stored mime type."""
    mime = (mime_type or "audio/mpeg").lower()
    return ENCLOSURE_TYPE_ALIASES.get(mime, mime)


def validate_category(category: str, subcategory: str = "") -> tuple[str, str]:
    """Check a category pair against Apple's list; return it, or raise ValidationError.

    Matching ignores case and surrounding spaces; the canonical spelling is returned.
    """
    by_lower = {name.lower(): name for name in APPLE_CATEGORIES}
    canonical = by_lower.get((category or "").strip().lower())
    if canonical is None:
        raise ValidationError(
            f"{category!r} is not an Apple Podcasts category. "
            f"Choose one of: {', '.join(APPLE_CATEGORIES)}.",
            details={"field": "category", "allowed": list(APPLE_CATEGORIES)},
        )
    if not (subcategory or "").strip():
        return canonical, ""
    subs = {name.lower(): name for name in APPLE_CATEGORIES[canonical]}
    sub = subs.get(subcategory.strip().lower())
    if sub is None:
        allowed = ", ".join(APPLE_CATEGORIES[canonical]) or "none"
        raise ValidationError(
            f"{subcategory!r} is not a subcategory of {canonical!r} in Apple Podcasts. "
            f"Its subcategories: {allowed}.",
            details={"field": "subcategory", "allowed": list(APPLE_CATEGORIES[canonical])},
        )
    return canonical, sub


def feed_category(category: str, subcategory: str) -> tuple[str, str]:
    """The pair the feed writes: the stored one when valid, else the default category.

    Rows written before validation existed must not make the feed invalid.
    """
    try:
        return validate_category(category, subcategory)
    except ValidationError:
        try:
            return validate_category(category)
        except ValidationError:
            return DEFAULT_CATEGORY, ""
