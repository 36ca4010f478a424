"""Files that leave the atlas: snapshots, animations, other tools' formats, handouts, links and citations."""
