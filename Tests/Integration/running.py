def running(peer, stop=lambda peer: peer.stop()):
    """A fixture's body, `yield from running(peer)`: hands the started gateway, upstream or receiver to the tests,
    then stops it. A peer that stops otherwise names how: `stop=Receiver.close`."""
    yield peer
    stop(peer)
