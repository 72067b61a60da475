import Foundation
import Gateway

SwitchboardCommand.main(Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment)
