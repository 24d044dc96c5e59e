"""Flask-free podcast knowledge: what Apple Podcasts and the Podcasting 2.0 namespace
accept (artwork, chapters, transcripts, element values) and the feed checklist."""
