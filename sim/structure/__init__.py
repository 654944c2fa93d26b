"""What a design's structure implies, without simulating it: the structure function of its part
tree, its minimal cut sets and the importance of each part."""
