// Draws every chart of a server-rendered page; each spec sits in a
// <script type="application/json"> beside its container.
import { drawAll } from "./charts.js";

drawAll();
