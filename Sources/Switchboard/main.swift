import Gateway

SwitchboardCommand.main(Array(CommandLine.arguments.dropFirst()), environment: SwitchboardCommand.processEnvironment())
