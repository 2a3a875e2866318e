import { describeStackControls } from "./stackControls";

describeStackControls("staging");
