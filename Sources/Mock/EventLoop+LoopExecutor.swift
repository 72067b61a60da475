import Reactor
import Store

// Store results are delivered on event loops; Store itself stays free of Reactor. Declared once, here, in the
// lowest module that imports both.
extension EventLoop: LoopExecutor {}
