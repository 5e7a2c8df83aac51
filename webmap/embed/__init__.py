"""For journalists: the embed page, its builder, oEmbed, and link-preview cards."""
