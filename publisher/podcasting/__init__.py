"""Podcast knowledge with no Flask, no views and no storage: Apple's categories and
enclosure types (``apple``), the Podcasting 2.0 vocabularies and validators
(``podcastindex``), and the text rules every XML output follows (``xmltext``)."""
