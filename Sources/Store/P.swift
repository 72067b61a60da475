enum PStore {}
